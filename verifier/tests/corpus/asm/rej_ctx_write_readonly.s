# Socket filters may not write skb->mark.
# type: socket_filter
mov %r2, 1
stxw [%r1+8], %r2
mov %r0, 0
exit
