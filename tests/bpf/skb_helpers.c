// Socket-buffer programs (tc and socket filter) exercising the packet helpers;
// observations go to the `skb_results` array for comparison with the kernel.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 32);
} skb_results SEC(".maps");

static __always_inline void record(__u32 slot, __u64 value)
{
	bpf_map_update_elem(&skb_results, &slot, &value, BPF_ANY);
}

#define IP_TTL_OFF (ETH_HLEN + offsetof(struct iphdr, ttl))
#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define UDP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, dest))
#define UDP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct udphdr, check))

SEC("tc")
int tc_rewrite(struct __sk_buff *skb)
{
	__u8 ttl = 0, new_ttl;
	__u16 port = 0, new_port = bpf_htons(8080);

	record(1, skb->len);
	record(2, skb->protocol);
	record(3, skb->pkt_type);
	record(4, (__u64)bpf_skb_load_bytes(skb, IP_TTL_OFF, &ttl, 1));
	record(5, ttl);
	new_ttl = ttl - 1;
	record(6, (__u64)bpf_l3_csum_replace(skb, IP_CSUM_OFF, bpf_htons(ttl << 8), bpf_htons(new_ttl << 8), 2));
	record(7, (__u64)bpf_skb_store_bytes(skb, IP_TTL_OFF, &new_ttl, 1, 0));
	bpf_skb_load_bytes(skb, UDP_DPORT_OFF, &port, 2);
	record(8, (__u64)bpf_l4_csum_replace(skb, UDP_CSUM_OFF, port, new_port, BPF_F_PSEUDO_HDR | 2));
	record(9, (__u64)bpf_skb_store_bytes(skb, UDP_DPORT_OFF, &new_port, 2, 0));
	record(10, (__u64)bpf_skb_load_bytes(skb, skb->len - 2, &port, 4));
	record(11, (__u64)bpf_skb_store_bytes(skb, 0, &port, 2, 8));
	skb->mark = 0x1234;
	skb->priority = 7;
	return TC_ACT_OK;
}

SEC("tc")
int tc_resize(struct __sk_buff *skb)
{
	void *data, *data_end;
	__u32 len = skb->len;
	__u8 mark = 0xee;

	record(1, (__u64)bpf_skb_change_tail(skb, len + 6, 0));
	record(2, skb->len);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	record(3, data_end - data);
	record(8, (__u64)bpf_skb_store_bytes(skb, len + 5, &mark, 1, 0));
	record(4, (__u64)bpf_skb_change_tail(skb, 10, 0));
	record(5, (__u64)bpf_skb_change_tail(skb, len + 2, 1));
	record(6, (__u64)bpf_skb_change_tail(skb, len - 4, 0));
	record(7, skb->len);
	return TC_ACT_OK;
}

SEC("tc")
int tc_vlan(struct __sk_buff *skb)
{
	record(1, skb->vlan_present);
	record(2, (__u64)bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), 42));
	record(3, skb->vlan_present);
	record(4, skb->vlan_tci);
	record(5, skb->vlan_proto);
	record(6, (__u64)bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021AD), 7));
	record(7, skb->len);
	record(8, skb->protocol);
	record(9, (__u64)bpf_skb_vlan_pop(skb));
	record(10, skb->vlan_tci);
	record(11, skb->len);
	record(12, (__u64)bpf_skb_vlan_pop(skb));
	record(13, skb->vlan_present);
	return TC_ACT_OK;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	__u64 first = load_byte(skb, 0);
	__u64 half = load_half(skb, 2);

	record(1, first);
	record(2, half);
	record(3, skb->len);
	if (first != 0x45)
		return 0;
	/* A load past the end stops the program: the kernel returns 0. */
	record(4, load_byte(skb, 5000));
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
