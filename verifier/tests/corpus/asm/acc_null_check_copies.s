# A null check on r0 also clears the copy in r6.
# type: socket_filter
# map: hash key=4 value=8 entries=4
stw [%r10-4], 3
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
mov %r6, %r0
jeq %r0, 0, out
ldxdw %r0, [%r6]
exit
out:
mov %r0, 0
exit
