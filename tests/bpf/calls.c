// bpf-to-bpf calls: static and global subprograms in .text called from
// program sections and from each other, a bpf_loop callback, and several
// programs per section sharing the same callees. Loads with libbpf too.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} total SEC(".maps");

static __attribute__((noinline)) __u64 add(__u64 a, __u64 b)
{
	return a + b;
}

__attribute__((noinline)) int twice(int x)
{
	return (int)add(x, x);
}

__attribute__((noinline)) int clamp(int x)
{
	return x > 1000 ? 1000 : twice(x);
}

struct loop_ctx {
	__u64 sum;
};

static int step(__u32 i, void *data)
{
	struct loop_ctx *c = data;

	c->sum = add(c->sum, i);
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	return clamp(ctx->ingress_ifindex) > 4 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	struct loop_ctx c = { .sum = 0 };
	__u32 key = 0;
	__u64 *t;

	bpf_loop(8, step, &c, 0);
	t = bpf_map_lookup_elem(&total, &key);
	if (t)
		*t += c.sum;
	return twice(c.sum) & 1 ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int tc_one(struct __sk_buff *skb)
{
	return twice(skb->len);
}

char _license[] SEC("license") = "GPL";
