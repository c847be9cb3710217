# The inner loop may jump straight to the outer loop's back edge, past the outer
# counter's decrement: when bit 1 of the length is set, the outer loop never ends.
# A path coming back to the widened inner loop around the outer one is not covered
# by the inner loop's invariant (the outer cycle must be proven on its own).
# type: socket_filter
ldxw %r3, [%r1+0]
mov %r0, 0
mov %r8, 3
outer:
mov %r9, 70
inner:
mov32 %r0, 0
jset32 %r3, 2, back
sub %r9, 1
jne %r9, 0, inner
sub %r8, 1
back:
jne %r8, 0, outer
exit
