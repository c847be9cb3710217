/* The index of unchecked_index.c, bounded first. */
#include "index_map.h"

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
