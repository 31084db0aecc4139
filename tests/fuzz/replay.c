/* replay.c - runs a fuzz target over files, without libFuzzer (fuzz.h).
 *
 *   replay_<target> [FILE | DIR]...
 *
 * With no arguments: the committed seeds and crash inputs of the target,
 * SRCDIR/tests/fuzz/{corpus,regress}/<target>/. A crash, a sanitizer report or
 * a hang fails the run; an input that merely fails to load is fine. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/fuzz/fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s\n", path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order; *count += files run. */
static int run_path(const char *path, int *count)
{
	struct stat sb;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (stat(path, &sb)) {
		fprintf(stderr, "replay: %s: not found\n", path);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	if (!(d = opendir(path)))
		return 1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more;
			cap = cap ? 2 * cap : 64;
			if (!(more = realloc(names, cap * sizeof(*names)))) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
			names = more;
		}
		if (!(names[n] = malloc(strlen(path) + strlen(e->d_name) + 2))) {
			fprintf(stderr, "replay: out of memory\n");
			exit(1);
		}
		sprintf(names[n++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		if (!rc && !stat(names[i], &sb) && S_ISREG(sb.st_mode)) {
			(*count)++;
			rc = run_file(names[i]);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	int count = 0, rc = 0;

	if (argc > 1) {
		for (int i = 1; i < argc && !rc; i++)
			rc = run_path(argv[i], &count);
	} else {
		static const char *const kinds[2] = { "corpus", "regress" };
		for (int k = 0; k < 2 && !rc; k++) {
			char dir[4096];
			snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s/%s", SRCDIR, kinds[k], FUZZ_TARGET);
			rc = run_path(dir, &count);
		}
	}
	printf("replay %s: %d inputs, %s\n", FUZZ_TARGET, count, rc ? "failed" : "ok");
	return rc;
}
