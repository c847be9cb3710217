# An 8-byte stack access at a 4-byte aligned offset.
# type: socket_filter
stdw [%r10-12], 1
mov %r0, 0
exit
