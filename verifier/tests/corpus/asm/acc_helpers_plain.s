# Helpers without arguments.
# type: socket_filter
call 5
mov %r6, %r0
call 7
add %r0, %r6
call 8
mov %r0, 0
exit
