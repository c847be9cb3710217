# A bpf_loop callback writing outside the caller's stack slot it was given.
# type: socket_filter
stdw [%r10-8], 0
mov %r1, 4
lddw %r2, func(cb)
mov %r3, %r10
add %r3, -8
mov %r4, 0
call 181
mov %r0, 0
exit
cb:
stdw [%r2+8], 1
mov %r0, 0
exit
