/* The same index, bounded first. */
#include "common.h"

struct val { __u32 idx; __u64 w[16]; };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct val);
    __uint(max_entries, 1);
} arr SEC(".maps");

SEC("socket")
int get(struct __sk_buff *skb)
{
    __u32 key = 0;
    struct val *v = bpf_map_lookup_elem(&arr, &key);
    if (!v)
        return 0;
    __u32 i = v->idx;
    if (i >= 16)
        return 0;
    return v->w[i] & 1;
}
