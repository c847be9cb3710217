# Packet read without any comparison with data_end.
# type: xdp
ldxw %r2, [%r1]
ldxb %r0, [%r2]
exit
