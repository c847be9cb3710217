# Code no path reaches.
# type: socket_filter
mov %r0, 0
exit
mov %r0, 1
exit
