# Read 8 bytes at offset 8 of an 8-byte value.
# type: socket_filter
# map: array key=4 value=8 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
ldxdw %r0, [%r0+8]
exit
out:
mov %r0, 0
exit
