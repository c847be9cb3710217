# The same as root: the kernel allows it (pointer leaks are allowed).
# type: socket_filter
stxdw [%r10-8], %r1
stw [%r10-8], 0
ldxw %r0, [%r10-4]
exit
