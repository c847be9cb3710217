# A 32-bit compare bounds the low half; a 32-bit move zero-extends it.
# type: socket_filter
# map: array key=4 value=16 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
ldxw %r1, [%r0]
jgt32 %r1, 12, out
mov32 %r1, %r1
add %r0, %r1
ldxw %r0, [%r0]
exit
out:
mov %r0, 0
exit
