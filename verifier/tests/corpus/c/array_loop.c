/* Sum the 16 words of an array value in a real (not unrolled) loop. */
#include "common.h"

struct val { __u64 w[16]; };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct val);
    __uint(max_entries, 1);
} arr SEC(".maps");

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
