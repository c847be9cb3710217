/* The array map of the index programs: an index and sixteen words. */
#include "common.h"

struct val { __u32 idx; __u64 w[16]; };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __type(key, __u32);
    __type(value, struct val);
    __uint(max_entries, 1);
} arr SEC(".maps");
