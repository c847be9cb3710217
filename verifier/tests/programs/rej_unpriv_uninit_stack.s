# Reading stack bytes never written: refused for untrusted programs.
# type: socket_filter
# config: unprivileged
ldxdw %r0, [%r10-8]
exit
