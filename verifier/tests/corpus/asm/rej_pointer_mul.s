# Multiplying a stack pointer.
# type: socket_filter
mov %r1, %r10
mul %r1, 2
mov %r0, 0
exit
