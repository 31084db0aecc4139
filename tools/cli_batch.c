/* cli_batch.c - gtcrn-run over several inputs: the output each gets under
 * -o DIR (its name, or its path below --keep-tree ROOT), and the worker
 * threads that share one model and take the inputs in turn. */
#include <errno.h>
#include <limits.h>
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

/* 1 when a ".." follows another component of path ("a/../b"): such an input
 * is refused under --keep-tree even when it lands below ROOT again; leading
 * ones ("../data/a.wav") only say where the tree is. */
static int inner_dotdot(const char *path)
{
	int named = 0;

	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		int dotdot = n == 2 && p[0] == '.' && p[1] == '.';
		if (dotdot && named)
			return 1;
		named |= !dotdot && n && !(n == 1 && p[0] == '.');
		p += n + (p[n] == '/');
	}
	return 0;
}

/* path made absolute (from the working folder) with ".", ".." and repeated
 * '/' taken out as text, symbolic links left alone: "rec/./a" ->
 * "/cwd/rec/a". Returns buf, or NULL when it does not fit. */
static char *lexical_path(const char *path, char *buf, size_t len)
{
	size_t k;

	if (path[0] == '/')
		buf[0] = 0;
	else if (!getcwd(buf, len))
		return NULL;
	k = strcmp(buf, "/") ? strlen(buf) : 0;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (k > 0 && buf[--k] != '/')
				;
		} else if (n && !(n == 1 && p[0] == '.')) {
			if (k + n + 2 > len)
				return NULL;
			buf[k++] = '/';
			memcpy(buf + k, p, n);
			k += n;
		}
		buf[k] = 0;
		p += n + (p[n] == '/');
	}
	if (!k)
		snprintf(buf, len, "/");
	return buf;
}

/* folder/base relative to root (both absolute, normalized) into buf[len],
 * or NULL when folder is not root or below it. */
static const char *below(const char *root, const char *folder, const char *base, char *buf,
                         size_t len)
{
	size_t n = strcmp(root, "/") ? strlen(root) : 0;

	if (!strcmp(folder, root))
		snprintf(buf, len, "%s", base);
	else if (!strncmp(folder, root, n) && folder[n] == '/')
		snprintf(buf, len, "%s/%s", folder + n + 1, base);
	else
		return NULL;
	return buf;
}

/* The name an input gets under DIR, into buf[len]: its base name, or with
 * --keep-tree its path below ROOT. ROOT and the input's folder are compared
 * as absolute paths, first as written (a linked sub-folder keeps its name),
 * then resolved (root_real, realpath), so "./rec", "rec/", "/abs/rec" and a
 * ROOT reached through a link name one tree. NULL when it has none: below
 * no ROOT, an inner "..", a folder ("x/"). */
static const char *out_name(const struct options *o, const char *root_real, const char *in,
                            char *buf, size_t len)
{
	const char *base = base_name(in), *r;
	char dir[PATH_MAX], root[PATH_MAX], full[PATH_MAX];

	if (!*base || !strcmp(base, "..") || (o->tree_root && inner_dotdot(in)))
		return NULL;
	if (!o->tree_root)
		return base;
	snprintf(dir, sizeof(dir), "%.*s", base > in ? (int)(base - in) : 1, base > in ? in : ".");
	if (lexical_path(o->tree_root, root, sizeof(root)) && lexical_path(dir, full, sizeof(full)) &&
	    (r = below(root, full, base, buf, len)))
		return r;
	if (root_real && realpath(dir, full))
		return below(root_real, full, base, buf, len);
	return NULL;
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

struct file_id {
	dev_t dev;
	ino_t ino;
	int index;
};

static int cmp_id(const void *a, const void *b)
{
	const struct file_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Every output checked before the first input is enhanced (audio_out_check,
 * and never another input of the batch), so that a mistake stops the batch
 * before it starts, not midway. One message per refused output; the exit
 * code of the first. Outputs --skip-existing will skip are not checked. */
static int check_outputs(const struct options *o, char **out)
{
	struct file_id *ids = malloc((size_t)o->n_inputs * sizeof(*ids));
	char err[ERR_LEN];
	struct stat st;
	int n_ids = 0, rc = RC_OK, refused = 0;

	if (!ids) {
		msg("out of memory");
		return RC_PROCESS;
	}
	for (int i = 0; i < o->n_inputs; i++)
		if (!stat(o->inputs[i], &st))
			ids[n_ids++] = (struct file_id){ st.st_dev, st.st_ino, i };
	qsort(ids, (size_t)n_ids, sizeof(*ids), cmp_id);
	for (int i = 0; i < o->n_inputs; i++) {
		int exists = !stat(out[i], &st), e;
		struct file_id key = { st.st_dev, st.st_ino, 0 }, *hit;
		if (o->skip_existing && exists && S_ISREG(st.st_mode))
			continue;
		if ((e = audio_out_check(out[i], o->inputs[i], o->model, &o->out, err, sizeof(err)))) {
			msg("%s", err);
		} else if (exists && (hit = bsearch(&key, ids, (size_t)n_ids, sizeof(*ids), cmp_id))) {
			msg("%s: the output of %s is the input %s: refusing to overwrite it", out[i],
			    o->inputs[i], o->inputs[hit->index]);
			e = RC_OUTPUT;
		}
		if (e && !rc)
			rc = e;
		refused += e != 0;
	}
	if (refused)
		msg("%d of %d outputs refused: no file was enhanced", refused, o->n_inputs);
	free(ids);
	return rc;
}

/* Batch: DIR/<name> for each input (out_name), refusing two inputs of one
 * output, every output checked (check_outputs); DIR and, with --keep-tree,
 * the folders below it are made. */
int batch_outputs(const struct options *o, char ***outs)
{
	char **out = calloc((size_t)o->n_inputs, sizeof(char *));
	char **sorted = malloc((size_t)o->n_inputs * sizeof(char *));
	char *root_real = o->tree_root ? realpath(o->tree_root, NULL) : NULL;
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
	if (!stat(o->out_dir, &st) && !S_ISDIR(st.st_mode)) {
		msg("%s: not a folder (-o DIR is the folder the outputs go to)", o->out_dir);
		rc = RC_OUTPUT;
		goto out;
	}
	for (int i = 0; i < o->n_inputs; i++) {
		char name[PATH_MAX];
		const char *b = out_name(o, root_real, o->inputs[i], name, sizeof(name));
		size_t len;
		if (!b) {
			if (o->tree_root)
				msg("%s: not a file below --keep-tree %s%s", o->inputs[i], o->tree_root,
				    inner_dotdot(o->inputs[i]) ? " (give its path without '..' inside)"
				    : "");
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
	if ((rc = check_outputs(o, out)))
		goto out;
	/* DIR for the first output; with --keep-tree, each output's folders */
	for (int i = 0; i < (o->tree_root ? o->n_inputs : 1); i++)
		if (make_parents(out[i])) {
			msg("%s: cannot make its folder: %s", out[i], strerror(errno));
			rc = RC_OUTPUT;
			goto out;
		}
out:
	free(sorted);
	free(root_real);
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
		if (c->o->score_only || c->o->vad_only)
			rc = analyze_file(c, c->o->inputs[i], &fs);
		else
			rc = run_file(c, c->o->inputs[i], c->outputs[i], &fs);
		pthread_mutex_lock(&c->lock);
		c->rc[i] = rc;
		if (c->o->score_only || c->o->vad_only)
			report_analysis(c, c->o->inputs[i], &fs, rc, last_message());
		else
			report(c, c->o->inputs[i], c->outputs[i], &fs, rc, last_message());
		if (!rc)
			segments_keep(c, i, &fs);
		pthread_mutex_unlock(&c->lock);
		free(fs.segs.v);
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
