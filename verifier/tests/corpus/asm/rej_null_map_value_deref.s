# The lookup result is used without a null check.
# type: socket_filter
# map: hash key=4 value=8 entries=16
stw [%r10-4], 1
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
ldxdw %r0, [%r0]
exit
