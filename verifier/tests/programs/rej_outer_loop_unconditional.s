# A counted inner loop (200 iterations) inside an outer loop whose back edge `ja
# outer` is unconditional and restarts the inner counter at 100: the program only
# ends when the context word is 7. A path of the widened inner loop's own
# exploration comes back to the inner head around the outer loop inside the inner
# invariant; joining it there (the exploration it belongs to is unfinished) would
# leave the outer cycle unchecked and prove the program terminating.
# type: socket_filter
mov %r0, 0
mov %r2, 0
outer:
mov %r0, 0
inner:
ldxw %r3, [%r1+0]
jeq %r3, 7, out
add %r2, 1
jlt %r2, 200, inner
mov %r2, 100
ja outer
out:
exit
