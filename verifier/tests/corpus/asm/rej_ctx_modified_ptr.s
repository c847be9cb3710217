# Loads through a moved context pointer are refused.
# type: socket_filter
add %r1, 4
ldxw %r0, [%r1]
exit
