/* Sum the 16 words of an array value in a real (not unrolled) loop. */

#include "index_map.h"

SEC("socket")
int sum(struct __sk_buff *skb)
{
    __u32 key = 0;
    struct val *v = bpf_map_lookup_elem(&arr, &key);
    if (!v)
        return 0;
    __u64 s = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < 16; i++)
        s += v->w[i];
    return s & 1;
}
