# A two-byte load at an odd offset.
# type: socket_filter
ldxh %r0, [%r1+1]
exit
