# A variable offset into the packet, bounded, then checked against the end.
# type: xdp
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, drop
ldxb %r5, [%r2]
and %r5, 15
add %r2, %r5
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, drop
ldxw %r0, [%r2]
mov %r0, 2
exit
drop:
mov %r0, 1
exit
