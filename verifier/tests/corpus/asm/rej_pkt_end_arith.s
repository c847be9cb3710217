# Arithmetic on the packet end pointer.
# type: xdp
ldxw %r3, [%r1+4]
add %r3, 1
mov %r0, 2
exit
