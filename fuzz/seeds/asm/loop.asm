mov %r0, 0
mov %r3, 10
loop:
add %r0, %r3
sub %r3, 1
jne %r3, 0, loop
exit
