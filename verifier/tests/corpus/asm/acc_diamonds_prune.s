# Twelve independent diamonds: pruning keeps exploration linear.
# type: socket_filter
call 7
mov %r6, %r0
mov %r7, 0
jset %r6, 1, +1
mov %r7, 1
jset %r6, 2, +1
mov %r7, 1
jset %r6, 4, +1
mov %r7, 1
jset %r6, 8, +1
mov %r7, 1
jset %r6, 16, +1
mov %r7, 1
jset %r6, 32, +1
mov %r7, 1
jset %r6, 64, +1
mov %r7, 1
jset %r6, 128, +1
mov %r7, 1
jset %r6, 256, +1
mov %r7, 1
jset %r6, 512, +1
mov %r7, 1
jset %r6, 1024, +1
mov %r7, 1
jset %r6, 2048, +1
mov %r7, 1
mov %r0, %r7
exit
