# A load past the end of __sk_buff.
# type: sched_cls
ldxw %r0, [%r1+200]
exit
