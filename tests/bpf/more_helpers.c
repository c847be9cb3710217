// The helpers that read machine state or act outside the packet, for the
// embedding tests (tests/embed_helpers.rs): tracing (task, probes, stacks,
// perf events, trace output), redirects and routing (XDP), tunnels, clones and
// cgroups (tc), socket options (sockops). Observations go to `seen`.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 32);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 4 * sizeof(__u64));
	__uint(max_entries, 8);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);
} ports SEC(".maps");

static __always_inline void record(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&seen, &slot, &value, BPF_ANY);
}

/* struct pt_regs on x86-64, as an array: di is register 14, si 13, dx 12. */
SEC("kprobe/do_sys_open")
int tracing(__u64 *regs)
{
	char comm[16] = {};
	char text[8] = {};
	__u64 v = 0, data = 0xfeed;

	record(1, bpf_get_current_pid_tgid());
	record(2, bpf_get_current_uid_gid());
	record(3, (__u64)bpf_get_current_comm(comm, sizeof(comm)));
	record(4, *(__u64 *)comm);
	record(5, (__u64)bpf_probe_read_kernel(&v, sizeof(v), (void *)regs[14]));
	record(6, v);
	record(7, (__u64)bpf_probe_read_kernel_str(text, sizeof(text), (void *)regs[13]));
	record(8, *(__u64 *)text);
	record(9, (__u64)bpf_get_stackid(regs, &stacks, 0));
	record(10, (__u64)bpf_perf_event_output(regs, &events, BPF_F_CURRENT_CPU, &data, sizeof(data)));
	record(11, bpf_perf_event_read(&events, 1));
	record(12, (__u64)bpf_printk("pid %d", 42));
	record(13, (__u64)bpf_probe_write_user((void *)regs[12], &data, sizeof(data)));
	record(14, (__u64)bpf_current_task_under_cgroup(&cgroups, 0));
	record(15, bpf_get_smp_processor_id());
	record(16, bpf_ktime_get_ns() <= bpf_ktime_get_boot_ns());
	record(17, (__u64)bpf_override_return((void *)regs, 7));
	return 0;
}

SEC("xdp")
int forward(struct xdp_md *ctx)
{
	struct bpf_fib_lookup fib = { .family = 2, .ifindex = 1 };
	__u64 data = 0xbeef;

	record(1, (__u64)bpf_fib_lookup(ctx, &fib, sizeof(fib), 0));
	record(2, fib.ifindex);
	record(3, (__u64)bpf_perf_event_output(ctx, &events, ((__u64)14 << 32) | 0, &data, sizeof(data)));
	record(4, bpf_redirect_map(&ports, 3, XDP_PASS));
	return bpf_redirect_map(&ports, 1, 0);
}

SEC("tc")
int tunnel(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	__u8 opts[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u8 got[8] = {};

	record(1, (__u64)bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0));
	record(2, key.tunnel_id);
	record(3, (__u64)bpf_skb_get_tunnel_opt(skb, got, sizeof(got)));
	key.tunnel_id = 77;
	key.remote_ipv4 = 0x0a000001;
	record(4, (__u64)bpf_skb_set_tunnel_key(skb, &key, sizeof(key), 0));
	record(5, (__u64)bpf_skb_set_tunnel_opt(skb, opts, sizeof(opts)));
	record(6, (__u64)bpf_skb_get_tunnel_opt(skb, got, sizeof(got)));
	record(7, got[7]);
	record(8, (__u64)bpf_clone_redirect(skb, 5, 0));
	record(9, (__u64)bpf_skb_under_cgroup(skb, &cgroups, 0));
	record(10, bpf_get_hash_recalc(skb) == skb->hash);
	return bpf_redirect(4, 0);
}

SEC("sockops")
int socket_options(struct bpf_sock_ops *ops)
{
	int value = 1, got = 0;

	record(1, (__u64)bpf_setsockopt(ops, 6, 1, &value, sizeof(value)));
	record(2, (__u64)bpf_getsockopt(ops, 6, 1, &got, sizeof(got)));
	record(3, got);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
