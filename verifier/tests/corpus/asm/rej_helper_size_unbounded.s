# A size argument with no upper bound.
# type: kprobe
call 7
mov %r2, %r0
mov %r1, %r10
add %r1, -8
mov %r3, 0
call 113
mov %r0, 0
exit
