// No SEC() at all: everything lands in .text, as with plain
// `clang -target bpf` programs written for uBPF-style runtimes.
static __attribute__((noinline)) int square(int x)
{
	return x * x;
}

int entry(int *ctx)
{
	return square(*ctx) + 1;
}
