# Found by the verifier_sound fuzz campaign: an outer loop (insns 1-11) whose
# back edge `jge32 %r0, %r0` is always taken never ends, although each of its
# inner loops counts down. Joining paths into a widened inner loop's invariant
# (2545603) proved it terminating; that change is reverted.
# type: socket_filter
mov %r0, 65280
mov %r3, -32
mov %r4, 123162624
mov %r5, -5527552
mov %r6, -11264
mov %r7, 0
mov %r8, 167772415
mov %r9, 127
mov %r8, 6
add %r8, -1
jne %r8, 0, -2
jge32 %r0, %r0, -11
mov %r8, 6
jslt32 %r0, 0, -5
xor32 %r7, 31
add %r8, -1
jne %r8, 0, -4
exit
