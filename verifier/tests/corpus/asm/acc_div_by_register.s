# Division and modulo by a register that may be zero are defined.
# type: socket_filter
call 7
mov %r1, %r0
mov %r0, 100
div %r0, %r1
mod %r0, %r1
sdiv32 %r0, %r1
exit
