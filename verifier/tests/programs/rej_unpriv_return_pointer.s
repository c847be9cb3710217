# Returning a pointer: refused for untrusted programs.
# type: socket_filter
# config: unprivileged
mov %r0, %r1
exit
