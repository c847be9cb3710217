# An index read from the value itself, unchecked.
# type: socket_filter
# map: array key=4 value=64 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
ldxdw %r1, [%r0]
add %r0, %r1
ldxb %r0, [%r0]
exit
out:
mov %r0, 0
exit
