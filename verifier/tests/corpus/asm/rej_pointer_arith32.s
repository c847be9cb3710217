# 32-bit add on a pointer.
# type: socket_filter
mov %r2, %r10
add32 %r2, -8
mov %r0, 0
exit
