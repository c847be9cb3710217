# Division by the immediate zero.
# type: socket_filter
mov %r0, 1
div %r0, 0
exit
