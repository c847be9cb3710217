# r1 is not preserved across a helper call.
# type: socket_filter
call 7
mov %r0, %r1
exit
