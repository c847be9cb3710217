# Write above the frame pointer.
# type: socket_filter
stw [%r10], 1
mov %r0, 0
exit
