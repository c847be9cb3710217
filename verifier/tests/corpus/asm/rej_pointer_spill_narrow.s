# A 4-byte store of a pointer.
# type: socket_filter
stxw [%r10-8], %r1
mov %r0, 0
exit
