# Reserve, fill, submit.
# type: kprobe
# map: ringbuf key=0 value=0 entries=4096
lddw %r1, map_fd(0)
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
stdw [%r0], 1
stdw [%r0+8], 2
mov %r1, %r0
mov %r2, 0
call 132
out:
mov %r0, 0
exit
