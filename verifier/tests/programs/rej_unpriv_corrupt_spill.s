# Overwriting half of a spilled pointer would leave its other half readable.
# type: socket_filter
# config: unprivileged
stxdw [%r10-8], %r1
stw [%r10-8], 0
ldxw %r0, [%r10-4]
exit
