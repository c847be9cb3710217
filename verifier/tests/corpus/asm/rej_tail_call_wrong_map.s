# tail_call with a hash map.
# type: socket_filter
# map: hash key=4 value=4 entries=4
lddw %r2, map_fd(0)
mov %r3, 1
call 12
mov %r0, 0
exit
