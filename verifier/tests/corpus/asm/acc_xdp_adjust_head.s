# After adjust_head, packet pointers must be reloaded and rechecked.
# type: xdp
mov %r6, %r1
mov %r2, -4
call 44
ldxw %r2, [%r6]
ldxw %r3, [%r6+4]
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, out
stw [%r2], 0
out:
mov %r0, 2
exit
