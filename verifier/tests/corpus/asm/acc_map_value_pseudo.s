# Direct map value address of an array.
# type: socket_filter
# map: array key=4 value=16 entries=1
lddw %r1, map_value(0)+8
ldxdw %r0, [%r1]
stxdw [%r1], %r0
exit
