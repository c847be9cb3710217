// XDP programs exercising maps and helpers; each records what it saw in the
// `results` array (slot per observation) so a run can be compared with the
// kernel's (BPF_PROG_TEST_RUN, then the maps' contents).
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 32);
} results SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} pcpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 2);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__type(value, __u32);
	__uint(max_entries, 2);
} stack SEC(".maps");

struct lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lpm_key);
	__type(value, __u32);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

static __always_inline void record(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&results, &slot, &value, BPF_ANY);
}

/* Updates map[k] = v with the key and value in their own stack slots, so
 * loop counters stay in registers (the kernel's verifier needs to see them). */
static __always_inline long put(void *map, __u32 k, __u64 v, __u64 flags)
{
	__u32 key = k;
	__u64 value = v;

	return bpf_map_update_elem(map, &key, &value, flags);
}

SEC("xdp")
int hash_ops(struct xdp_md *ctx)
{
	__u64 v = 10, *p;
	__u32 k;

	record(1, (__u64)put(&hash, 1, 10, BPF_NOEXIST));
	record(2, (__u64)put(&hash, 2, 20, BPF_NOEXIST));
	record(3, (__u64)put(&hash, 3, 30, BPF_NOEXIST));
	record(4, (__u64)put(&hash, 4, 40, BPF_NOEXIST));
	record(5, (__u64)put(&hash, 5, 50, BPF_NOEXIST));
	k = 1;
	record(6, (__u64)bpf_map_update_elem(&hash, &k, &v, BPF_NOEXIST));
	record(7, (__u64)bpf_map_update_elem(&hash, &k, &v, BPF_EXIST));
	k = 9;
	record(8, (__u64)bpf_map_update_elem(&hash, &k, &v, BPF_EXIST));
	record(9, (__u64)bpf_map_delete_elem(&hash, &k));
	k = 2;
	record(10, (__u64)bpf_map_delete_elem(&hash, &k));
	p = bpf_map_lookup_elem(&hash, &k);
	record(11, p ? 1 : 0);
	k = 3;
	p = bpf_map_lookup_elem(&hash, &k);
	record(12, p ? *p : 0);
	record(13, (__u64)bpf_map_update_elem(&hash, &k, &v, 7));
	put(&lru, 100, 1, BPF_ANY);
	put(&lru, 101, 2, BPF_ANY);
	put(&lru, 102, 3, BPF_ANY);
	k = 0;
	record(14, (__u64)bpf_map_delete_elem(&results, &k));
	return XDP_PASS;
}

SEC("xdp")
int percpu_ops(struct xdp_md *ctx)
{
	__u32 k = 1;
	__u64 one = 1, *p;

	p = bpf_map_lookup_elem(&pcpu, &k);
	if (p)
		*p += 5;
	bpf_map_update_elem(&pcpu_hash, &k, &one, BPF_ANY);
	p = bpf_map_lookup_elem(&pcpu_hash, &k);
	if (p)
		*p += 41;
	return XDP_PASS;
}

SEC("xdp")
int queue_stack(struct xdp_md *ctx)
{
	__u32 v;

	v = 1;
	record(1, (__u64)bpf_map_push_elem(&queue, &v, 0));
	bpf_map_push_elem(&stack, &v, 0);
	v = 2;
	record(2, (__u64)bpf_map_push_elem(&queue, &v, 0));
	bpf_map_push_elem(&stack, &v, 0);
	v = 3;
	record(3, (__u64)bpf_map_push_elem(&queue, &v, 0));
	bpf_map_push_elem(&stack, &v, 0);
	v = 9;
	record(4, (__u64)bpf_map_push_elem(&queue, &v, BPF_EXIST));
	record(5, (__u64)bpf_map_pop_elem(&queue, &v));
	record(6, v);
	record(7, (__u64)bpf_map_peek_elem(&stack, &v));
	record(8, v);
	bpf_map_pop_elem(&stack, &v);
	bpf_map_pop_elem(&stack, &v);
	record(9, v);
	record(10, (__u64)bpf_map_pop_elem(&stack, &v));
	return XDP_PASS;
}

SEC("xdp")
int lpm(struct xdp_md *ctx)
{
	struct lpm_key key = { .prefixlen = 8, .addr = { 10, 0, 0, 0 } };
	__u32 val = 8, *p;

	bpf_map_update_elem(&routes, &key, &val, BPF_ANY);
	key.prefixlen = 24;
	key.addr[1] = 1;
	key.addr[2] = 2;
	val = 24;
	bpf_map_update_elem(&routes, &key, &val, BPF_ANY);
	key.prefixlen = 32;
	key.addr[3] = 3;
	p = bpf_map_lookup_elem(&routes, &key);
	record(1, p ? *p : 0);
	key.addr[2] = 9;
	p = bpf_map_lookup_elem(&routes, &key);
	record(2, p ? *p : 0);
	key.addr[0] = 11;
	p = bpf_map_lookup_elem(&routes, &key);
	record(3, p ? *p : 0);
	key.prefixlen = 24;
	key.addr[0] = 10;
	key.addr[2] = 2;
	record(4, (__u64)bpf_map_delete_elem(&routes, &key));
	record(5, (__u64)bpf_map_delete_elem(&routes, &key));
	return XDP_PASS;
}

SEC("xdp")
int ringbuf(struct xdp_md *ctx)
{
	__u64 data = 0x1122334455667788, *r;

	record(1, (__u64)bpf_ringbuf_output(&events, &data, sizeof(data), 0));
	r = bpf_ringbuf_reserve(&events, 16, 0);
	if (!r)
		return XDP_ABORTED;
	r[0] = 1;
	r[1] = 2;
	bpf_ringbuf_submit(r, 0);
	r = bpf_ringbuf_reserve(&events, 8, 0);
	if (!r)
		return XDP_ABORTED;
	bpf_ringbuf_discard(r, 0);
	record(2, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA));
	record(3, bpf_ringbuf_query(&events, BPF_RB_PROD_POS));
	record(4, bpf_ringbuf_query(&events, BPF_RB_RING_SIZE));
	return XDP_PASS;
}

static long add_index(__u32 index, void *ctx)
{
	__u64 *sum = ctx;

	*sum += index;
	return index == 6 ? 1 : 0;
}

struct walk {
	__u64 keys;
	__u64 values;
};

static long visit(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	w->keys += *key;
	w->values += *value;
	return 0;
}

SEC("xdp")
int callbacks(struct xdp_md *ctx)
{
	__u64 sum = 0, v;
	struct walk w = {};
	__u32 k;

	record(1, (__u64)bpf_loop(10, add_index, &sum, 0));
	record(2, sum);
	record(3, (__u64)bpf_loop(10, add_index, &sum, 1));
	put(&hash, 1, 100, BPF_ANY);
	put(&hash, 2, 200, BPF_ANY);
	put(&hash, 3, 300, BPF_ANY);
	record(4, (__u64)bpf_for_each_map_elem(&hash, visit, &w, 0));
	record(5, w.keys);
	record(6, w.values);
	return XDP_PASS;
}

SEC("xdp")
int packet_ops(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *w = data;
	__u32 *meta;

	if ((void *)(w + 4) > data_end)
		return XDP_ABORTED;
	record(1, bpf_csum_diff(w, 8, w + 2, 8, 0x1234));
	record(2, bpf_csum_diff(0, 0, w, 16, 0));
	record(10, bpf_csum_diff(0, 0, 0, 0, 0x12345678));
	record(11, bpf_csum_diff(w, 4, 0, 0, 0xfffffff0));
	record(3, (__u64)bpf_xdp_adjust_meta(ctx, -8));
	record(4, (__u64)bpf_xdp_adjust_meta(ctx, -6));
	record(5, (__u64)bpf_xdp_adjust_head(ctx, -4));
	record(6, (__u64)bpf_xdp_adjust_tail(ctx, -6));
	record(7, (__u64)bpf_xdp_adjust_tail(ctx, 1 << 20));
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 2) > data)
		return XDP_ABORTED;
	meta[0] = 0xaabbccdd;
	w = data;
	if ((void *)(w + 1) > data_end)
		return XDP_ABORTED;
	*w = 0x44434241;
	record(8, data_end - data);
	record(9, (long)data - (long)meta);
	return XDP_TX;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	record(2, 222);
	return XDP_DROP;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct xdp_md *));
} jump SEC(".maps") = {
	.values = { [0] = &tail_target },
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	record(1, 111);
	bpf_tail_call(ctx, &jump, 1);
	record(3, 333);
	bpf_tail_call(ctx, &jump, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
