# Smallest program: return 0.
# type: socket_filter
mov %r0, 0
exit
