# A loop writing eight stack words through a moving pointer.
# type: socket_filter
mov %r1, %r10
add %r1, -64
mov %r2, 0
loop:
stxdw [%r1], %r2
add %r1, 8
add %r2, 1
jlt %r2, 8, loop
ldxdw %r0, [%r10-8]
exit
