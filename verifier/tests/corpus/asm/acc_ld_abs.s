# Legacy packet loads with the context in r6.
# type: socket_filter
mov %r6, %r1
ldabsh 12
mov %r7, %r0
ldabsb 23
mov %r1, 14
ldindw %r1, 0
exit
