# 32-bit modulo by the immediate zero.
# type: socket_filter
mov %r0, 1
mod32 %r0, 0
exit
