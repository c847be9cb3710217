/* Bug: the lookup result is used without a null check. */
#include "common.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __type(key, __u32);
    __type(value, __u64);
    __uint(max_entries, 64);
} counts SEC(".maps");

SEC("socket")
int count(struct __sk_buff *skb)
{
    __u32 key = skb->protocol;
    __u64 *v = bpf_map_lookup_elem(&counts, &key);
    *v += 1;
    return 0;
}
