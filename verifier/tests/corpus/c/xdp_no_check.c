/* Bug: the IPv4 header is read without comparing with data_end. */
#include "common.h"

struct eth { __u8 dst[6], src[6]; __u16 proto; };
struct ip { __u8 vhl, tos; __u16 len, id, frag; __u8 ttl, proto; __u16 sum; __u32 src, dst; };

SEC("xdp")
int parse(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct eth *e = data;
    if ((void *)(e + 1) > end)
        return XDP_DROP;
    struct ip *ip = (void *)(e + 1);
    return ip->ttl > 1 ? XDP_PASS : XDP_DROP;
}
