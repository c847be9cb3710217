# xdp_adjust_head is an XDP helper.
# type: socket_filter
mov %r2, 0
call 44
mov %r0, 0
exit
