# A reservation never submitted.
# type: kprobe
# map: ringbuf key=0 value=0 entries=4096
lddw %r1, map_fd(0)
mov %r2, 8
mov %r3, 0
call 131
mov %r0, 0
exit
