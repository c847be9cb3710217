# csum_diff over stack words.
# type: xdp
stdw [%r10-8], 1
stdw [%r10-16], 2
mov %r1, %r10
add %r1, -8
mov %r2, 8
mov %r3, %r10
add %r3, -16
mov %r4, 8
mov %r5, 0
call 28
mov %r0, 2
exit
