# A 4-byte load of a spilled pointer.
# type: socket_filter
stxdw [%r10-8], %r1
ldxw %r0, [%r10-8]
exit
