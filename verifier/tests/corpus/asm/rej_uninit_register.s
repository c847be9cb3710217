# r2 is read before any write.
# type: socket_filter
mov %r0, %r2
exit
