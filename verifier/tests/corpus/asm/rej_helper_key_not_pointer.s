# map_lookup_elem with a number as the key.
# type: socket_filter
# map: hash key=4 value=8 entries=16
mov %r2, 0
lddw %r1, map_fd(0)
call 1
mov %r0, 0
exit
