# Masking a context pointer.
# type: socket_filter
and %r1, 0xff
mov %r0, 0
exit
