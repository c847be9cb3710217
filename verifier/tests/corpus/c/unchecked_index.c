/* Bug: an index read from the map indexes the value without a bound. */
#include "index_map.h"

SEC("socket")
int get(struct __sk_buff *skb)
{
    __u32 key = 0;
    struct val *v = bpf_map_lookup_elem(&arr, &key);
    if (!v)
        return 0;
    return v->w[v->idx] & 1;
}
