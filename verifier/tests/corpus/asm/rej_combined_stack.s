# Two frames of 320 bytes each.
# type: socket_filter
stdw [%r10-320], 1
call local f
exit
f:
stdw [%r10-320], 1
mov %r0, 0
exit
