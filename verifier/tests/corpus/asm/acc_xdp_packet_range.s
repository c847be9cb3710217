# Classic bounds check against data_end before reading the Ethernet type.
# type: xdp
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, drop
ldxh %r0, [%r2+12]
mov %r0, 2
exit
drop:
mov %r0, 1
exit
