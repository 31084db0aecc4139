/* cli_batch.c - gtcrn-run over several inputs: the output each gets under
 * -o DIR (its name, or its path below --keep-tree ROOT), and the worker
 * threads that share one model and take the inputs in turn. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tools/cli.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The name an input gets under DIR: its path below --keep-tree ROOT, else
 * its base name; NULL when it has none (outside ROOT, climbing out with
 * "..", a folder). */
static const char *out_name(const struct options *o, const char *in)
{
	const char *r = base_name(in);

	if (o->tree_root) {
		size_t n = strlen(o->tree_root);
		while (n > 0 && o->tree_root[n - 1] == '/')
			n--;
		if (strncmp(in, o->tree_root, n) || in[n] != '/')
			return NULL;
		for (r = in + n; *r == '/'; r++)
			;
		for (const char *p = r;;) {      /* no ".." component */
			if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
				return NULL;
			if (!(p = strchr(p, '/')))
				break;
			p++;
		}
	}
	return *r && r[strlen(r) - 1] != '/' ? r : NULL;
}

/* mkdir -p for the folders above path */
static int make_parents(char *path)
{
	for (char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		int bad = mkdir(path, 0777) && errno != EEXIST;
		*p = '/';
		if (bad)
			return -1;
	}
	return 0;
}

/* Batch: DIR/<name> for each input (out_name), refusing two inputs of one
 * output. */
int batch_outputs(const struct options *o, char ***outs)
{
	char **out = calloc((size_t)o->n_inputs, sizeof(char *));
	char **sorted = malloc((size_t)o->n_inputs * sizeof(char *));
	size_t dir_len = strlen(o->out_dir);
	struct stat st;
	int rc = RC_OK;

	while (dir_len > 0 && o->out_dir[dir_len - 1] == '/')   /* "/" -> "", then "/name" */
		dir_len--;
	if (!out || !sorted) {
		msg("out of memory");
		rc = RC_PROCESS;
		goto out;
	}
	if (stat(o->out_dir, &st) || !S_ISDIR(st.st_mode)) {
		msg("%s: not a folder (-o DIR must exist)", o->out_dir);
		rc = RC_OUTPUT;
		goto out;
	}
	for (int i = 0; i < o->n_inputs; i++) {
		const char *b = out_name(o, o->inputs[i]);
		size_t len;
		if (!b) {
			if (o->tree_root)
				msg("%s: not a file below --keep-tree %s", o->inputs[i], o->tree_root);
			else
				msg("%s: not a file name", o->inputs[i]);
			rc = RC_USAGE;
			goto out;
		}
		len = dir_len + strlen(b) + 2;
		if (!(out[i] = malloc(len))) {
			msg("out of memory");
			rc = RC_PROCESS;
			goto out;
		}
		/* one '/' between DIR and the name, however DIR ends */
		snprintf(out[i], len, "%.*s/%s", (int)dir_len, o->out_dir, b);
	}
	memcpy(sorted, out, (size_t)o->n_inputs * sizeof(char *));
	qsort(sorted, (size_t)o->n_inputs, sizeof(char *), cmp_str);
	for (int i = 1; i < o->n_inputs; i++)
		if (!strcmp(sorted[i - 1], sorted[i])) {
			int a = -1, b = -1;
			for (int k = 0; k < o->n_inputs; k++)
				if (!strcmp(out[k], sorted[i]))
					a < 0 ? (a = k) : (b = k);
			msg("%s and %s would both be written to %s%s", o->inputs[a], o->inputs[b],
			    sorted[i], o->tree_root ? "" : " (--keep-tree ROOT keeps their folders)");
			rc = RC_USAGE;
			goto out;
		}
	for (int i = 0; o->tree_root && i < o->n_inputs; i++)
		if (make_parents(out[i])) {
			msg("%s: cannot make its folder: %s", out[i], strerror(errno));
			rc = RC_OUTPUT;
			goto out;
		}
out:
	free(sorted);
	if (rc && out) {
		for (int i = 0; i < o->n_inputs; i++)
			free(out[i]);
		free(out);
		out = NULL;
	}
	*outs = out;
	return rc;
}

static void *worker(void *arg)
{
	struct run_ctx *c = arg;

	for (;;) {
		struct file_stats fs;
		int i, rc;
		pthread_mutex_lock(&c->lock);
		i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->o->n_inputs)
			break;
		clear_last_message();
		rc = run_file(c, c->o->inputs[i], c->outputs[i], &fs);
		pthread_mutex_lock(&c->lock);
		c->rc[i] = rc;
		report(c, c->o->inputs[i], c->outputs[i], &fs, rc, last_message());
		pthread_mutex_unlock(&c->lock);
		batch_progress_file_done();
	}
	return NULL;
}

int run_inputs(struct run_ctx *c)
{
	const struct options *o = c->o;
	pthread_t threads[MAX_JOBS];
	int n_threads = o->jobs < o->n_inputs ? o->jobs : o->n_inputs, rc = RC_OK, failed = 0;

	/* a file's progress bar, or a batch's line */
	c->progress = !o->out_dir && !o->quiet && isatty(STDERR_FILENO);
	if (o->out_dir && !o->quiet && isatty(STDERR_FILENO))
		batch_progress_start(o->n_inputs);
	for (int t = 1; t < n_threads; t++)
		if (pthread_create(&threads[t], NULL, worker, c)) {
			n_threads = t;
			break;
		}
	worker(c);
	for (int t = 1; t < n_threads; t++)
		pthread_join(threads[t], NULL);
	batch_progress_end();
	for (int i = 0; i < o->n_inputs; i++)
		if (c->rc[i]) {
			if (!rc)
				rc = c->rc[i];
			failed++;
		}
	if (o->out_dir && failed && o->n_inputs > 1)
		msg("%d of %d files failed", failed, o->n_inputs);
	return rc;
}
