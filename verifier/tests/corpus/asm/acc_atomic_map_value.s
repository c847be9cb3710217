# Atomic add and fetch-add on a map value.
# type: socket_filter
# map: array key=4 value=8 entries=1
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
lddw %r1, map_fd(0)
call 1
jeq %r0, 0, out
mov %r1, 1
lock add [%r0], %r1
lock fetch add [%r0], %r1
mov %r0, %r1
exit
out:
mov %r0, 0
exit
