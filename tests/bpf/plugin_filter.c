// Untrusted filters for a host-defined program type: the context is the host's
// `struct event`, helper 1000 is the host's `host_note`. `greedy` never ends:
// only an instruction budget stops it. Used by examples/plugin_host.rs.
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 kind;
	__u32 size;
	__u64 value;
};

/* Host helper 1000: records a note (a number) for the event being filtered. */
static long (*host_note)(__u64 note) = (void *)1000;

const volatile __u64 limit = 1000;

SEC("filter")
int accept_small(struct event *e)
{
	if (e->kind != 1)
		return 0;
	if (e->value >= limit) {
		host_note(e->value);
		return 0;
	}
	return 1;
}

SEC("filter")
int greedy(struct event *e)
{
	__u64 n = 0;

	while (*(volatile __u32 *)&e->kind != 0xdead)
		n++;
	return n;
}

char LICENSE[] SEC("license") = "GPL";
