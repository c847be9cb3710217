# Checked 14 bytes, reads bytes 14-15.
# type: xdp
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 14
jgt %r4, %r3, drop
ldxh %r0, [%r2+14]
drop:
mov %r0, 1
exit
