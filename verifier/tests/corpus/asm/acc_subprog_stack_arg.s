# A local function writes through a pointer into its caller's stack.
# type: socket_filter
mov %r1, %r10
add %r1, -8
call local fill
ldxdw %r0, [%r10-8]
exit
fill:
stdw [%r1], 42
mov %r0, 0
exit
