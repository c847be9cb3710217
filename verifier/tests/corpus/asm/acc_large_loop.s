# 1000000 iterations: past the kernel's budget of processed instructions.
# type: socket_filter
mov %r0, 0
mov %r1, 0
loop:
add %r0, 3
add %r1, 1
jlt %r1, 1000000, loop
exit
