# A loop over the stack with a pointer and a bound held in a register, 60 words
# touched 20000 times over.
# type: socket_filter
mov %r6, 0
again:
mov %r1, %r10
add %r1, -480
mov %r2, 0
mov %r3, 60
fill:
stxdw [%r1], %r2
add %r1, 8
add %r2, 1
jlt %r2, %r3, fill
add %r6, 1
jlt %r6, 20000, again
ldxdw %r0, [%r10-8]
exit
