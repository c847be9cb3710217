// Legacy map definitions (pre-BTF): a `maps` section holding several
// `struct bpf_map_def`s of the samples/bpf layout (28 bytes, with
// inner_map_idx and numa_node), and one map in its own `maps/<name>` section.
// Programs in `socket` and `kprobe/...` sections, no FUNC-less tricks.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int inner_map_idx;
	unsigned int numa_node;
};

struct bpf_map_def SEC("maps") counts = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 64,
};

struct bpf_map_def SEC("maps") slots = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") outer = {
	.type = BPF_MAP_TYPE_ARRAY_OF_MAPS,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 2,
	.inner_map_idx = 1, /* slots */
};

struct bpf_map_def SEC("maps/lru") lru = {
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 16,
	.map_flags = BPF_F_NO_COMMON_LRU,
};

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 key = skb->protocol;
	__u64 one = 1, *val;

	val = bpf_map_lookup_elem(&counts, &key);
	if (val)
		__sync_fetch_and_add(val, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("kprobe/do_sys_open")
int probe_open(void *ctx)
{
	__u32 key = 0, *inner_key = &key;
	__u32 v = 7;
	void *inner = bpf_map_lookup_elem(&outer, &key);

	if (inner)
		bpf_map_lookup_elem(inner, inner_key);
	bpf_map_update_elem(&lru, &key, &v, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060100;
