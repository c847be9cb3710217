# kprobe contexts are read-only.
# type: kprobe
mov %r2, 0
stxdw [%r1], %r2
mov %r0, 0
exit
