# The loop condition never changes inside the loop.
# type: socket_filter
call 7
mov %r1, %r0
mov %r0, 0
loop:
add %r0, 1
jne %r1, 5, loop
exit
