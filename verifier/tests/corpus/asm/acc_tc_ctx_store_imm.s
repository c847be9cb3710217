# Immediate stores into writable context fields are allowed (Linux 6.x).
# type: sched_cls
stw [%r1+8], 1
mov %r0, 0
exit
