/* Reserve a ring buffer sample in a tracepoint, fill it, submit it. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct event { __u64 ts; __u32 pid; __u32 pad; };

SEC("tracepoint/sched/sched_switch")
int on_switch(void *ctx)
{
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->ts = bpf_ktime_get_ns();
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->pad = 0;
    bpf_ringbuf_submit(e, 0);
    return 0;
}
