# A counter moving down to zero, 500000 times.
# type: socket_filter
lddw %r1, 500000
mov %r0, 0
loop:
add %r0, 2
sub %r1, 1
jne %r1, 0, loop
exit
