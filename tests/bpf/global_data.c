// Global data: .data, .rodata (constants and strings), .bss and a custom
// .data.<name> section, used from a tc classifier.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

volatile __u64 packets = 5;                      /* .data */
volatile const __u32 limit = 100;                /* .rodata */
volatile __u64 bytes;                            /* .bss */
volatile __u32 seen[4] SEC(".data.seen") = { 1, 2, 3, 4 };
static const char msg[] = "len %d";              /* .rodata */

SEC("tc")
int classify(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	packets++;
	bytes += len;
	seen[len & 3]++;
	bpf_trace_printk(msg, sizeof(msg), len);
	return len > limit ? TC_ACT_SHOT : TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
