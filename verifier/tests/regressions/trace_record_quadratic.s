# fuzz/regressions/verifier_sound/trace-record-quadratic: a loop whose counter
# differs each iteration, 50,000 distinct states per slot before the budget ends;
# recording them took 33 s when deduplicated with Vec::contains. Never ends (r3 = 0).
mov %r0, 16711680
mov %r3, 0
mov %r4, 122683552
mov %r5, -5767088
mov %r6, 40
mov %r7, 20
mov %r8, 65280
mov %r9, 32640
ja +0
add32 %r0, -1
jsge %r3, -1, -2
movsx1664 %r6, %r0
lddw %r1, 0x55
mov %r2, 43
mov %r3, 724249387
call 1
jslt %r3, %r3, -17
exit

