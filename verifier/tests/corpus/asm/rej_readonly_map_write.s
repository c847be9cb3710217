# A store into a value of a map read-only for programs.
# type: socket_filter
# map: array key=4 value=8 entries=1 rdonly
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
stdw [%r0], 1
out:
mov %r0, 0
exit
