# An 8-byte key of which only 4 bytes were written.
# type: socket_filter
# map: hash key=8 value=8 entries=16
stw [%r10-8], 1
mov %r2, %r10
add %r2, -8
lddw %r1, map_fd(0)
call 1
mov %r0, 0
exit
