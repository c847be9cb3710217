# Read of stack bytes never written: root may (allow_uninit_stack), untrusted programs may not.
# type: socket_filter
stw [%r10-8], 1
ldxdw %r0, [%r10-8]
exit
