# Store then load on the stack, several sizes.
# type: socket_filter
stdw [%r10-8], 5
stw [%r10-12], 7
ldxdw %r0, [%r10-8]
ldxw %r1, [%r10-12]
add %r0, %r1
stb [%r10-13], 1
ldxb %r2, [%r10-13]
add %r0, %r2
exit
