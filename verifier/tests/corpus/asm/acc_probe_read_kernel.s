# probe_read_kernel of an unknown address into the stack.
# type: kprobe
ldxdw %r3, [%r1+112]
mov %r1, %r10
add %r1, -8
mov %r2, 8
call 113
ldxdw %r0, [%r10-8]
exit
