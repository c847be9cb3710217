# 10000 iterations, each with a branch on a fresh unknown: the kernel keeps the
# other side of every branch pending until the loop ends and gives up at 8,193
# ("The sequence of 8193 jumps is too complex"); the widened loop proves the
# counter in r3 reaches its bound and every path safe.
# type: socket_filter
mov %r0, 0
mov %r3, 0
loop:
ldxw %r2, [%r1+0]
jeq %r2, 0, skip
add %r0, 1
skip:
add %r3, 1
jlt %r3, 10000, loop
exit
