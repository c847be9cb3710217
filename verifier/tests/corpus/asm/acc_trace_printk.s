# trace_printk of a string built on the stack.
# type: kprobe
mov %r1, 0x0a6968
stxw [%r10-4], %r1
mov %r1, %r10
add %r1, -4
mov %r2, 4
call 6
mov %r0, 0
exit
