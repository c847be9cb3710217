// A call from one program section into a function of another program section
// (not .text). libbpf refuses this ("bad call relo"); ferrobpf links it like a
// .text subprogram.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__attribute__((noinline)) int shared_len(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("tc") __attribute__((noinline))
int tc_entry(struct __sk_buff *skb)
{
	return shared_len(skb) > 100;
}

SEC("socket")
int socket_entry(struct __sk_buff *skb)
{
	return tc_entry(skb) ? 0 : -1;
}

char _license[] SEC("license") = "GPL";
