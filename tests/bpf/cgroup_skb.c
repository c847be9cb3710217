// cgroup skb programs (ingress and egress): the packet from its network header,
// direct packet access, skb_load_bytes, a per-protocol byte count in a hash map
// and a verdict (1 allow, 0 drop). Compared with the kernel in
// tests/kernel_compare.rs.
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} bytes_by_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 8);
} cg_results SEC(".maps");

static __always_inline void record(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&cg_results, &slot, &value, BPF_ANY);
}

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	__u32 proto;
	__u64 len = skb->len, *bytes;

	record(0, skb->protocol);
	record(1, len);
	if ((void *)(ip + 1) > data_end)
		return 0;
	proto = ip->protocol;
	bytes = bpf_map_lookup_elem(&bytes_by_proto, &proto);
	if (bytes)
		__sync_fetch_and_add(bytes, len);
	else
		bpf_map_update_elem(&bytes_by_proto, &proto, &len, BPF_NOEXIST);
	if (data + sizeof(*ip) + 4 > data_end)
		return 1;
	/* Drop traffic to 10.1.2.3 port 9 (discard). */
	return ip->daddr == bpf_htonl(0x0a010203) && ((__u8 *)data)[23] == 9 ? 0 : 1;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	__u8 ttl = 0;
	__u16 dport = 0;

	record(2, (__u64)bpf_skb_load_bytes(skb, 8, &ttl, 1));
	record(3, ttl);
	record(4, (__u64)bpf_skb_load_bytes(skb, 22, &dport, 2));
	record(5, bpf_ntohs(dport));
	record(6, (__u64)bpf_skb_load_bytes(skb, skb->len, &ttl, 1));
	return skb->len > 100 ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
