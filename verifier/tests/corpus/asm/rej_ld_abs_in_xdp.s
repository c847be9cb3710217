# Legacy packet loads are not for XDP.
# type: xdp
mov %r6, %r1
ldabsb 0
mov %r0, 2
exit
