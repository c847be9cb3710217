# A plain untrusted program.
# type: xdp
# config: unprivileged
ldxw %r2, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, out
ldxb %r0, [%r2]
out:
mov %r0, 2
exit
