// BTF-defined maps (`.maps`) of many types, with initial values for a
// prog_array and an array_of_maps, and two XDP programs in one section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 128);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 16);
	__uint(max_entries, 8);
} percpu SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 10);
} queue SEC(".maps");

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a, [2] = &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__type(key, __u64);
		__type(value, __u64);
		__uint(max_entries, 2);
	});
} outer_hash SEC(".maps");

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
	__u32 key = 0, *inner_val, v = 1;
	__u64 *val;
	struct lpm_key lk = { .prefixlen = 32, .addr = { 10, 0, 0, 1 } };
	void *inner;

	val = bpf_map_lookup_elem(&hash, &key);
	if (val)
		*val += 1;
	if (bpf_map_lookup_elem(&percpu, &key))
		v++;
	if (bpf_map_lookup_elem(&routes, &lk))
		v++;
	bpf_ringbuf_output(&events, &v, sizeof(v), 0);
	bpf_map_push_elem(&queue, &v, BPF_ANY);
	inner = bpf_map_lookup_elem(&outer, &key);
	if (inner) {
		inner_val = bpf_map_lookup_elem(inner, &key);
		if (inner_val)
			v += *inner_val;
	}
	bpf_tail_call(ctx, &jumps, 1);
	return v & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
