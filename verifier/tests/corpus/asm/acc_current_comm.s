# get_current_comm into 16 stack bytes; get_current_pid_tgid.
# type: tracepoint
mov %r1, %r10
add %r1, -16
mov %r2, 16
call 16
call 14
rsh %r0, 32
exit
