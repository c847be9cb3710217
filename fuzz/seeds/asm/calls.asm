mov %r1, 5
call 1
call local func
mov %r3, 1
call %r3
exit
func:
mov %r0, 42
sdiv32 %r0, -3
movsx832 %r0, %r0
exit
