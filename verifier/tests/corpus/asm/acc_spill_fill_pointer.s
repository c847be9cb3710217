# A map value pointer spilled across a helper call and filled back.
# type: socket_filter
# map: array key=4 value=8 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
stxdw [%r10-16], %r0
call 7
ldxdw %r1, [%r10-16]
ldxdw %r0, [%r1]
exit
out:
mov %r0, 0
exit
