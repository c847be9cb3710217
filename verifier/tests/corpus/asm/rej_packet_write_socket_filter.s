# Socket filters cannot access the packet directly.
# type: socket_filter
ldxw %r2, [%r1+76]
mov %r0, 0
exit
