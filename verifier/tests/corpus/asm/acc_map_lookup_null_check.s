# Lookup with a stack key, null check, then read the value.
# type: socket_filter
# map: hash key=4 value=8 entries=16
stw [%r10-4], 1
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
ldxdw %r0, [%r0]
exit
out:
mov %r0, 0
exit
