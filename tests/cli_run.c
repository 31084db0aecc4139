/* cli_run.c - see cli_run.h. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/cli_run.h"

char tmp_root[256];                    /* mkdtemp folder for every test */

void append(char **buf, size_t *len, const char *data, size_t n)
{
	char *nb = realloc(*buf, *len + n + 1);

	ck_assert_msg(nb != NULL, "out of memory");
	memcpy(nb + *len, data, n);
	*len += n;
	nb[*len] = 0;
	*buf = nb;
}

void proc_start(struct proc *p, const struct run_opts *ro, char **argv, char *cmd,
                       size_t cmd_len)
{
	int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, err_p[2];
	size_t k = 0;

	for (int i = 0; argv[i]; i++)
		k += (size_t)snprintf(cmd + k, k < cmd_len ? cmd_len - k : 0, "%s%s", i ? " " : "",
		                      argv[i]);
	ck_assert(pipe(err_p) == 0);
	ck_assert(!ro || !ro->in_data || pipe(in_p) == 0);
	ck_assert((ro && ro->out_file) || pipe(out_p) == 0);
	p->pid = fork();
	ck_assert_msg(p->pid >= 0, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		int fd_in = in_p[0] >= 0 ? in_p[0] : open("/dev/null", O_RDONLY);
		int fd_out = out_p[1] >= 0 ? out_p[1]
		             : open(ro->out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd_in < 0 || fd_out < 0 || dup2(fd_in, 0) < 0 || dup2(fd_out, 1) < 0 ||
		    dup2(err_p[1], 2) < 0)
			_exit(126);
		if (ro && ro->fsize_limit > 0) {
			struct rlimit rl = { (rlim_t)ro->fsize_limit, (rlim_t)ro->fsize_limit };
			if (setrlimit(RLIMIT_FSIZE, &rl))
				_exit(125);
		}
		if (ro && ro->env)
			putenv((char *)ro->env);
		if (ro && ro->alarm_s)
			alarm(ro->alarm_s);            /* kept across execv */
		signal(SIGPIPE, SIG_DFL);
		for (int fd = 3; fd < 256; fd++)
			close(fd);
		execv(TOOL, argv);
		_exit(127);
	}
	if (in_p[0] >= 0)
		close(in_p[0]);
	if (out_p[1] >= 0)
		close(out_p[1]);
	close(err_p[1]);
	p->fd_in = in_p[1];
	p->fd_out = out_p[0];
	p->fd_err = err_p[0];
}

/* Feeds data to stdin, collects stdout and stderr, waits for the exit. */
void proc_finish(struct proc *p, struct run *r, const char *data, size_t len)
{
	size_t sent = 0;
	int st;

	if (p->fd_in >= 0 && !data) {
		close(p->fd_in);
		p->fd_in = -1;
	}
	if (p->fd_in >= 0)
		fcntl(p->fd_in, F_SETFL, O_NONBLOCK);
	while (p->fd_out >= 0 || p->fd_err >= 0) {
		struct pollfd pf[3];
		int n = 0, i_in = -1, i_out = -1, i_err = -1;
		if (p->fd_in >= 0) {
			pf[n] = (struct pollfd){ p->fd_in, POLLOUT, 0 };
			i_in = n++;
		}
		if (p->fd_out >= 0) {
			pf[n] = (struct pollfd){ p->fd_out, POLLIN, 0 };
			i_out = n++;
		}
		if (p->fd_err >= 0) {
			pf[n] = (struct pollfd){ p->fd_err, POLLIN, 0 };
			i_err = n++;
		}
		if (poll(pf, (nfds_t)n, -1) < 0) {
			ck_assert_msg(errno == EINTR, "poll: %s", strerror(errno));
			continue;
		}
		if (i_in >= 0 && pf[i_in].revents) {
			ssize_t w = write(p->fd_in, data + sent, len - sent > 65536 ? 65536 : len - sent);
			if (w > 0)
				sent += (size_t)w;
			if ((w < 0 && errno != EAGAIN) || sent == len) {
				close(p->fd_in);
				p->fd_in = -1;
			}
		}
		for (int k = 0; k < 2; k++) {
			int idx = k ? i_err : i_out, *fd = k ? &p->fd_err : &p->fd_out;
			char buf[65536];
			ssize_t got;
			if (idx < 0 || !pf[idx].revents)
				continue;
			got = read(*fd, buf, sizeof(buf));
			if (got > 0) {
				if (k)
					append(&r->err, &r->err_len, buf, (size_t)got);
				else
					append(&r->out, &r->out_len, buf, (size_t)got);
			} else if (got == 0 || errno != EINTR) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	if (p->fd_in >= 0)
		close(p->fd_in);
	while (waitpid(p->pid, &st, 0) < 0)
		ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (!r->out)
		append(&r->out, &r->out_len, "", 0);
	if (!r->err)
		append(&r->err, &r->err_len, "", 0);
}

int vrun(struct run *r, const struct run_opts *ro, va_list ap)
{
	char *argv[MAX_ARGS];
	const char *a;
	struct proc p;
	int n = 0;

	memset(r, 0, sizeof(*r));
	argv[n++] = (char *)"gtcrn-run";
	while ((a = va_arg(ap, const char *)) && n < MAX_ARGS - 1)
		argv[n++] = (char *)a;
	argv[n] = NULL;
	proc_start(&p, ro, argv, r->cmd, sizeof(r->cmd));
	proc_finish(&p, r, ro ? ro->in_data : NULL, ro ? ro->in_len : 0);
	return r->status;
}

/* run(&r, opts or NULL, args..., NULL): the exit status. */
int run(struct run *r, const struct run_opts *ro, ...)
{
	va_list ap;
	int rc;

	va_start(ap, ro);
	rc = vrun(r, ro, ap);
	va_end(ap);
	return rc;
}

void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Runs and requires exit status 0. */
void run_ok(const struct run_opts *ro, ...)
{
	struct run r;
	va_list ap;

	va_start(ap, ro);
	vrun(&r, ro, ap);
	va_end(ap);
	expect_ok(r.cmd, r.err, r.status);
	run_free(&r);
}

/* --- files ------------------------------------------------------------ */

char *path_in(const char *dir, const char *name)
{
	static char bufs[8][2048];
	static int k;
	char *p = bufs[k++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

/* A fresh folder for one test under the mkdtemp root. */
const char *test_dir(const char *name)
{
	static char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s", tmp_root, name);
	ck_assert_msg(mkdir(dir, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", dir,
	              strerror(errno));
	return dir;
}

int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* Interleaved samples of a file (malloc'ed), float or short; info gets its format. */
static void *load_as(const char *path, SF_INFO *info, size_t size)
{
	SNDFILE *sf;
	void *x;

	memset(info, 0, sizeof(*info));
	sf = sf_open(path, SFM_READ, info);
	ck_assert_msg(sf != NULL, "%s: %s", path, sf_strerror(NULL));
	x = malloc(((size_t)info->frames * (size_t)info->channels + 1) * size);
	ck_assert(x != NULL);
	ck_assert_int_eq(size == sizeof(float) ? sf_readf_float(sf, x, info->frames) :
	                 sf_readf_short(sf, x, info->frames), info->frames);
	sf_close(sf);
	return x;
}

float *load(const char *path, SF_INFO *info)
{
	return load_as(path, info, sizeof(float));
}

short *load_shorts(const char *path, SF_INFO *info)
{
	return load_as(path, info, sizeof(short));
}

void save_shorts(const char *path, const short *x, sf_count_t frames, int channels,
                        int rate, int format)
{
	SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	ck_assert_msg(sf != NULL, "%s: %s", path, sf_strerror(NULL));
	ck_assert_int_eq(sf_writef_short(sf, x, frames), frames);
	ck_assert_int_eq(sf_close(sf), 0);
}

void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

int same_bytes(const char *a, const char *b)
{
	size_t na, nb;
	void *x = read_file(a, &na), *y = read_file(b, &nb);
	int same = na == nb && !memcmp(x, y, na);

	free(x);
	free(y);
	return same;
}

/* max |got - ref| over n samples, with where it is */
double max_abs(const float *got, const float *ref, size_t n, size_t *at)
{
	double m = 0;

	*at = 0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)got[i] - ref[i]);
		if (!(d <= m)) {
			m = d;
			*at = i;
		}
	}
	return m;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int cli_test_main(const char *name, Suite *s, const char *const *need, size_t n_need)
{
	/* on a missing file the suite is not run (nor freed: the process ends) */
	int rc, missing = 0;

	for (size_t i = 0; i < n_need; i++)
		if (access(need[i], i ? R_OK : X_OK)) {
			fprintf(stderr, "%s: needs %s: %s\n", name, need[i], strerror(errno));
			missing++;
		}
	if (missing) {
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmp_root, sizeof(tmp_root), "%s/%s.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	rc = run_suites(&s, 1, 0);
	nftw(tmp_root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
