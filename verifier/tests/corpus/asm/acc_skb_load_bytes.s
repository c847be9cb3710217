# skb_load_bytes into uninitialised stack, then read it.
# type: socket_filter
mov %r2, 0
mov %r3, %r10
add %r3, -16
mov %r4, 16
call 26
ldxdw %r0, [%r10-16]
exit
