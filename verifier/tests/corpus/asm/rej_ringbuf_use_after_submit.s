# Writing to a reservation after submitting it.
# type: kprobe
# map: ringbuf key=0 value=0 entries=4096
lddw %r1, map_fd(0)
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r6, %r0
mov %r1, %r0
mov %r2, 0
call 132
stdw [%r6], 1
out:
mov %r0, 0
exit
