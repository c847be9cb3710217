# 32-bit arithmetic and byte swaps on scalars.
# type: socket_filter
mov32 %r0, -1
add32 %r0, 2
be16 %r0
le32 %r0
arsh32 %r0, 3
neg32 %r0
xor %r0, %r0
exit
