# Loading through a number.
# type: socket_filter
mov %r1, 4096
ldxdw %r0, [%r1]
exit
