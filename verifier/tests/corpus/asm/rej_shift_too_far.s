# Shift by an immediate of 64.
# type: socket_filter
mov %r0, 1
lsh %r0, 64
exit
