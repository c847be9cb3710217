ldxw %r0, [%r1+4]
stxdw [%r10-8], %r0
lddw %r2, 0x123456789abcdef0
stdw [%r10-16], 7
lock add [%r10-8], %r2
lock fetch xor32 [%r1], %r0
lock cmpxchg [%r10-16], %r2
ldxsh %r4, [%r10-8]
be32 %r4
exit
