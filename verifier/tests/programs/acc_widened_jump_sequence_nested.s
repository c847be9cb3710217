# Three rounds of a 10000-iteration loop whose body branches on a fresh unknown
# each iteration (the kernel gives up on one round: "The sequence of 8193 jumps is
# too complex"). Paths still pending from before a round's loop was widened join
# its finished widened exploration; the outer loop is proven on its own (r6).
# type: socket_filter
mov %r0, 0
mov %r6, 0
outer:
mov %r3, 0
loop:
ldxw %r2, [%r1+0]
jeq %r2, 0, skip
add %r0, 1
skip:
add %r3, 1
jlt %r3, 10000, loop
add %r6, 1
jlt %r6, 3, outer
exit
