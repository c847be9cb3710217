# for (i = 0; i < 10; i++) sum += i
# type: socket_filter
mov %r0, 0
mov %r1, 0
loop:
add %r0, %r1
add %r1, 1
jlt %r1, 10, loop
exit
