/* A non-inlined function filling a buffer in its caller's stack. */
#include "common.h"

static __attribute__((noinline)) int fill(__u64 *buf, int n)
{
    for (int i = 0; i < 4; i++)
        buf[i] = n + i;
    return 0;
}

SEC("socket")
int main_prog(struct __sk_buff *skb)
{
    __u64 buf[4];
    fill(buf, skb->len);
    return buf[3] & 1;
}
