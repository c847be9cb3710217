/* Verifies the IPv4 header checksum of an Ethernet frame.
 * Entry ABI of `ferrobpf run`: r1 = frame, r2 = its length.
 * Returns the folded one's-complement sum of the IPv4 header: 0xffff when the
 * checksum is valid; 0 when the frame is not IPv4 or too short.
 * Rebuild: bash examples/build.sh */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

u64 entry(const u8 *frame, u64 len)
{
    if (len < 14 + 20)
        return 0;
    if (frame[12] != 0x08 || frame[13] != 0x00) /* EtherType IPv4 */
        return 0;
    const u8 *ip = frame + 14;
    u64 ihl = (ip[0] & 0x0f) * 4;
    if (ihl < 20 || 14 + ihl > len)
        return 0;
    u32 sum = 0;
    for (u64 i = 0; i < 60 && i < ihl; i += 2)
        sum += ((u32)ip[i] << 8) | ip[i + 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}
