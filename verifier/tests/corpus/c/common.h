/* Shared by the C corpus programs: types and the helpers they call. */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
