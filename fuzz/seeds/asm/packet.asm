mov %r6, %r1
ldabsh 12
mov %r2, 2
ldindb %r2, 14
ja32 +0
exit
