# kprobe reads pt_regs fields of several sizes.
# type: kprobe
ldxdw %r2, [%r1+112]
ldxw %r3, [%r1+104]
ldxb %r4, [%r1+7]
mov %r0, 0
exit
