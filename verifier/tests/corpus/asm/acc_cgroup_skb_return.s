# cgroup_skb returns 1 (allow).
# type: cgroup_skb
ldxw %r2, [%r1]
mov %r0, 1
exit
