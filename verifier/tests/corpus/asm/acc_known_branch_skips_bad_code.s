# The bad load sits behind a branch whose outcome is known.
# type: socket_filter
mov %r1, 5
jgt %r1, 10, bad
mov %r0, 0
exit
bad:
ldxdw %r0, [%r2]
exit
