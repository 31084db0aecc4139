/* make_seeds.c - writes the seed models (seeds.c) and the inputs of past
 * crashes (regress.c) into a folder, as the fuzzers' starting corpus:
 *   make_seeds DIR */
#include <stdio.h>
#include "tests/fuzz/fuzz.h"

struct out {
	const char *dir;
	int failed;
};

static void save(const char *name, const uint8_t *buf, size_t len, void *ctx)
{
	struct out *o = ctx;
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", o->dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "make_seeds: cannot write %s\n", path);
		o->failed = 1;
	}
}

int main(int argc, char **argv)
{
	struct out o = { argc == 2 ? argv[1] : NULL, 0 };

	if (!o.dir) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 1;
	}
	fuzz_seeds(save, &o);
	fuzz_regress(save, &o);
	return o.failed;
}
