# A loop whose state never changes.
# type: socket_filter
mov %r0, 0
loop:
ja loop
