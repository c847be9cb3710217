# Storing a pointer into a map value: refused for untrusted programs.
# type: socket_filter
# map: array key=4 value=8 entries=1
# config: unprivileged
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
stxdw [%r0], %r10
out:
mov %r0, 0
exit
