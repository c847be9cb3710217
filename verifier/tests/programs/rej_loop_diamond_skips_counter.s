# A loop of 10000 iterations on r2 with a diamond: the side taken when the context
# word is 0 does not increment the counter, so then the loop never ends. Paths
# still pending from before the loop was widened, joining its invariant, must not
# hide the way back that does not move the counter.
# type: socket_filter
mov %r0, 0
mov %r2, 0
loop:
ldxw %r3, [%r1+0]
jeq %r3, 0, skip
add %r2, 1
ja next
skip:
add %r0, 1
next:
jlt %r2, 10000, loop
exit
