/* Count packets per protocol in a hash map; insert on first sight. */
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
    __u64 one = 1, *v = bpf_map_lookup_elem(&counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    else
        bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
    return 0;
}
