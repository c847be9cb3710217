# A long loop whose last iteration writes past the frame: widening must not hide it.
# type: socket_filter
mov %r1, %r10
add %r1, -512
mov %r2, 0
loop:
stxb [%r1], %r2
add %r1, 1
add %r2, 1
jle %r2, 512, loop
mov %r0, 0
exit
