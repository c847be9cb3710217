# A loop over an unknown count with no bound.
# type: socket_filter
call 7
mov %r1, %r0
mov %r0, 0
loop:
add %r0, 1
jne %r0, %r1, loop
exit
