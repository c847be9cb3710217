# tc reads skb->len and writes skb->mark and cb[0].
# type: sched_cls
ldxw %r2, [%r1]
stxw [%r1+8], %r2
stxw [%r1+48], %r2
ldxh %r3, [%r1+16]
mov %r0, 0
exit
