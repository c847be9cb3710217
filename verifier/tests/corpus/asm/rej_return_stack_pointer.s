# A function returning a pointer into its own frame.
# type: socket_filter
call local f
mov %r0, 0
exit
f:
mov %r0, %r10
add %r0, -8
exit
