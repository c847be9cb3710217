# Two nested counted loops of 3000 x 400 iterations: far beyond exploration.
# type: socket_filter
mov %r0, 0
mov %r1, 0
outer:
mov %r2, 0
inner:
add %r0, 1
add %r2, 1
jlt %r2, 400, inner
add %r1, 1
jlt %r1, 3000, outer
exit
