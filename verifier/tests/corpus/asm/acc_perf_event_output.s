# perf_event_output of 8 stack bytes from a kprobe.
# type: kprobe
# map: perf_event_array key=4 value=4 entries=4
stdw [%r10-8], 1
mov %r4, %r10
add %r4, -8
lddw %r2, map_fd(0)
lddw %r3, 0xffffffff
mov %r5, 8
call 25
mov %r0, 0
exit
