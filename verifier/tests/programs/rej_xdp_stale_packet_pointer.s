# Packet pointers checked before xdp_adjust_head are stale after it.
# type: xdp
mov %r6, %r1
ldxw %r7, [%r1]
ldxw %r3, [%r1+4]
mov %r4, %r7
add %r4, 8
jgt %r4, %r3, out
mov %r1, %r6
mov %r2, 4
call 44
ldxb %r0, [%r7]
out:
mov %r0, 2
exit
