/* check_ladspa.c - the LADSPA plugin (plugins/ladspa.c) driven in process,
 * as a host would, against libgtcrn's streaming API: descriptors, output
 * equal to the library's at several rates and host block sizes, the latency
 * port, the controls (mix, attenuation limit, bypass, their ramps, the VAD
 * gate against libgtcrn's gtcrn_gate),
 * activate() as a new stream, buffers shared between ports, no heap
 * allocation and no system call at all in run() (no I/O, no lock that
 * waits, no mmap). The hosts themselves are in ladspa/check-hosts.sh. */
#include <check.h>
#include <dlfcn.h>
#include <ladspa.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "enhance/gtcrn.h"
#include "tests/check_util.h"

#define PLUGIN BUILDDIR "/plugins/.libs/gtcrn_ladspa.so"
#define MODEL MODELS_DIR "/gtcrn_simple.onnx"
#define VAD MODELS_DIR "/silero_vad.onnx"

/* --- counting the heap calls made while run() executes --- */

static volatile int counting;
static volatile unsigned long heap_calls;

#if defined(__SANITIZE_ADDRESS__)
/* ASan's allocator hooks (sanitizer/allocator_interface.h; gcc ships no header) */
int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void *, size_t),
                                              void (*)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n) { (void)p; (void)n; heap_calls += counting; }
static void on_free(const volatile void *p) { (void)p; heap_calls += counting; }
static void count_heap_init(void) { __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free); }
#else
/* glibc's allocator under its public names, wrapped and exported (the
 * build hides symbols by default): the plugin and libgtcrn resolve malloc
 * to these. */
#pragma GCC visibility push(default)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
void *malloc(size_t n) { heap_calls += counting; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { heap_calls += counting; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { heap_calls += counting; return __libc_realloc(p, n); }
void free(void *p) { heap_calls += counting && p; __libc_free(p); }
int posix_memalign(void **p, size_t a, size_t n)
{
	heap_calls += counting;
	return (*p = __libc_memalign(a, n)) ? 0 : 12;
}
void *aligned_alloc(size_t a, size_t n) { heap_calls += counting; return __libc_memalign(a, n); }
#pragma GCC visibility pop
static void count_heap_init(void) {}
#endif

/* --- a host --- */

enum { MIX, ATTEN, BYPASS, LATENCY, GATE, N_CTL };

typedef struct host {
	const LADSPA_Descriptor *d;
	LADSPA_Handle h;
	int channels;
	LADSPA_Data ctl[N_CTL];
} host;

static void *lib;
static LADSPA_Descriptor_Function descriptor_fn;

static void load_plugin(void)
{
	setenv("GTCRN_MODEL", MODEL, 1);
	unsetenv("GTCRN_VAD_MODEL");   /* no gate, unless a test asks for one */
	count_heap_init();
	if (!(lib = dlopen(PLUGIN, RTLD_NOW)) ||
	    !(descriptor_fn = (LADSPA_Descriptor_Function)(size_t)dlsym(lib, "ladspa_descriptor"))) {
		fprintf(stderr, "check_ladspa: %s\n", dlerror());
		exit(EXIT_FAILURE);
	}
}

static void unload_plugin(void)
{
	dlclose(lib);
}

/* instantiates label at rate with controls mix, atten, bypass; activates */
static int host_open(host *t, const char *label, unsigned long rate, float mix, float atten,
                     float bypass)
{
	memset(t, 0, sizeof *t);
	for (unsigned long i = 0; (t->d = descriptor_fn(i)); i++)
		if (!strcmp(t->d->Label, label))
			break;
	ck_assert_ptr_nonnull(t->d);
	t->channels = !strcmp(label, "gtcrn_stereo") ? 2 : 1;
	if (!(t->h = t->d->instantiate(t->d, rate)))
		return 0;
	t->ctl[MIX] = mix;
	t->ctl[ATTEN] = atten;
	t->ctl[BYPASS] = bypass;
	t->ctl[LATENCY] = -1;
	t->ctl[GATE] = 0;
	for (int k = 0; k < N_CTL; k++)
		t->d->connect_port(t->h, (unsigned long)(2 * t->channels + k), &t->ctl[k]);
	t->d->activate(t->h);
	return 1;
}

/* runs n samples: in[c] -> out[c], in host blocks of the given sizes
 * (cycled); the buffers are connected anew for every block */
static void host_run(host *t, float **in, float **out, size_t n, const size_t *blocks,
                     int nblocks)
{
	for (size_t done = 0, b = 0; done < n; b++) {
		size_t k = blocks[b % (size_t)nblocks];
		k = k < n - done ? k : n - done;
		for (int c = 0; c < t->channels; c++) {
			t->d->connect_port(t->h, (unsigned long)c, in[c] + done);
			t->d->connect_port(t->h, (unsigned long)(t->channels + c), out[c] + done);
		}
		counting = 1;
		t->d->run(t->h, k);
		counting = 0;
		done += k;
	}
}

static void host_close(host *t)
{
	t->d->cleanup(t->h);
}

/* --- references --- */

static gtcrn_model *model;

static void load_model(void)
{
	char err[256];
	if (gtcrn_model_load(MODEL, &model, err, sizeof err)) {
		fprintf(stderr, "check_ladspa: %s\n", err);
		exit(EXIT_FAILURE);
	}
}

/* the library's streaming output for x at rate, in one call */
static void reference(const float *x, float *y, size_t n, int rate, float mix, float atten_db)
{
	gtcrn_opts o;
	gtcrn_state *s;
	char err[256];

	gtcrn_opts_init(&o);
	o.sample_rate = rate;
	o.mix = mix;
	o.atten_lim_db = atten_db;
	ck_assert_msg(gtcrn_state_create(model, &o, &s, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(gtcrn_process(s, x, y, n), 0);
	gtcrn_state_free(s);
}

/* noisy speech-like test signal: two gliding tones and noise */
static float *test_signal(size_t n, int rate, unsigned seed)
{
	float *x = malloc(n * sizeof(float));
	unsigned r = seed;
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / rate;
		r = r * 1103515245u + 12345u;
		x[i] = (float)(0.3 * sin(2 * M_PI * (180 + 40 * sin(3 * t)) * t) * (0.5 + 0.5 * sin(7 * t)) +
		               0.1 * sin(2 * M_PI * 1200 * t) + 0.05 * ((double)(r >> 8) / (1 << 24) - 0.5));
	}
	return x;
}

static float max_diff(const float *a, const float *b, size_t n)
{
	float m = 0;
	for (size_t i = 0; i < n; i++)
		m = fmaxf(m, fabsf(a[i] - b[i]));
	return m;
}

/* --- tests --- */

START_TEST(descriptors)
{
	const LADSPA_Descriptor *m = descriptor_fn(0), *s = descriptor_fn(1);
	static const char *const names[] = { "Mix", "Attenuation limit (dB)", "Bypass", "latency",
	                                     "VAD gate (dB)" };

	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(descriptor_fn(2));
	ck_assert_str_eq(m->Label, "gtcrn_mono");
	ck_assert_str_eq(s->Label, "gtcrn_stereo");
	ck_assert_uint_ne(m->UniqueID, s->UniqueID);
	ck_assert_uint_eq(m->PortCount, 7);
	ck_assert_uint_eq(s->PortCount, 9);
	for (int k = 0; k < 2; k++) {
		const LADSPA_Descriptor *d = k ? s : m;
		unsigned long a = d->PortCount - N_CTL;   /* audio ports first */
		ck_assert(LADSPA_IS_HARD_RT_CAPABLE(d->Properties));
		ck_assert(!LADSPA_IS_INPLACE_BROKEN(d->Properties));
		for (unsigned long p = 0; p < a; p++) {
			ck_assert(LADSPA_IS_PORT_AUDIO(d->PortDescriptors[p]));
			ck_assert(p < a / 2 ? LADSPA_IS_PORT_INPUT(d->PortDescriptors[p])
			                    : LADSPA_IS_PORT_OUTPUT(d->PortDescriptors[p]));
		}
		for (int c = 0; c < N_CTL; c++) {
			LADSPA_PortDescriptor pd = d->PortDescriptors[a + (unsigned long)c];
			ck_assert(LADSPA_IS_PORT_CONTROL(pd));
			ck_assert(c == 3 ? LADSPA_IS_PORT_OUTPUT(pd) : LADSPA_IS_PORT_INPUT(pd));
			ck_assert_str_eq(d->PortNames[a + (unsigned long)c], names[c]);
		}
		ck_assert(LADSPA_IS_HINT_DEFAULT_1(d->PortRangeHints[a].HintDescriptor));
		ck_assert(LADSPA_IS_HINT_DEFAULT_MAXIMUM(d->PortRangeHints[a + 1].HintDescriptor));
		ck_assert_float_eq(d->PortRangeHints[a + 1].UpperBound, 100.0f);
		ck_assert(LADSPA_IS_HINT_TOGGLED(d->PortRangeHints[a + 2].HintDescriptor));
		ck_assert(LADSPA_IS_HINT_DEFAULT_MINIMUM(d->PortRangeHints[a + 4].HintDescriptor));
		ck_assert_float_eq(d->PortRangeHints[a + 4].LowerBound, 0.0f);
		ck_assert_float_eq(d->PortRangeHints[a + 4].UpperBound, 60.0f);
	}
}
END_TEST

/* The plugin's output is the library's, sample for sample, mono and stereo,
 * at the model's rate and resampled, whatever the host's block sizes; the
 * latency port gives the library's latency; run() allocates nothing. */
static const int rates[] = { 16000, 44100, 48000, 8000, 96000 };

START_TEST(matches_library)
{
	int rate = rates[_i % 5];
	const char *label = _i < 5 ? "gtcrn_mono" : "gtcrn_stereo";
	size_t n = (size_t)rate * 3;
	static const size_t blocks[] = { 64, 1, 1000, 4096, 7, 333, 2048, 128 };
	float *x[2] = { test_signal(n, rate, 1), test_signal(n, rate, 2) }, *y[2], *ref = malloc(n * 4);
	host t;
	gtcrn_opts o;
	gtcrn_state *s;
	char err[256];

	y[0] = malloc(n * 4);
	y[1] = malloc(n * 4);
	ck_assert(host_open(&t, label, (unsigned long)rate, 1.0f, 100.0f, 0.0f));
	heap_calls = 0;
	host_run(&t, x, y, n, blocks, 8);
	ck_assert_msg(heap_calls == 0, "%lu heap calls in run()", heap_calls);
	gtcrn_opts_init(&o);
	o.sample_rate = rate;
	ck_assert_int_eq(gtcrn_state_create(model, &o, &s, err, sizeof err), 0);
	ck_assert_float_eq(t.ctl[LATENCY], (float)gtcrn_latency(s));
	gtcrn_state_free(s);
	for (int c = 0; c < t.channels; c++) {
		reference(x[c], ref, n, rate, 1.0f, -1.0f);
		ck_assert_msg(max_diff(y[c], ref, n) <= 1e-6f, "%s at %d Hz, channel %d: %g", label,
		              rate, c, (double)max_diff(y[c], ref, n));
	}
	host_close(&t);
	free(x[0]), free(x[1]), free(y[0]), free(y[1]), free(ref);
}
END_TEST

/* Mix and attenuation limit as gtcrn_set_mix / gtcrn_set_atten_limit; 100 dB
 * is "no limit"; bypass is the input delayed by the latency. */
START_TEST(controls)
{
	size_t n = 48000 * 2;
	static const size_t blocks[] = { 480 };
	float *x = test_signal(n, 48000, 3), *y = malloc(n * 4), *ref = malloc(n * 4);
	host t;
	size_t lat;

	ck_assert(host_open(&t, "gtcrn_mono", 48000, 0.3f, 9.0f, 0.0f));
	host_run(&t, &x, &y, n, blocks, 1);
	reference(x, ref, n, 48000, 0.3f, 9.0f);
	ck_assert_float_eq(max_diff(y, ref, n), 0.0f);
	host_close(&t);

	ck_assert(host_open(&t, "gtcrn_mono", 48000, 1.0f, 100.0f, 1.0f));   /* bypass */
	host_run(&t, &x, &y, n, blocks, 1);
	lat = (size_t)t.ctl[LATENCY];
	for (size_t i = 0; i < lat; i++)
		ck_assert_float_eq(y[i], 0.0f);
	ck_assert_float_eq(max_diff(y + lat, x, n - lat), 0.0f);
	host_close(&t);

	ck_assert(host_open(&t, "gtcrn_mono", 48000, 2.0f, -5.0f, 0.0f));   /* clamped: 1, 0 dB */
	host_run(&t, &x, &y, n, blocks, 1);
	reference(x, ref, n, 48000, 1.0f, 0.0f);
	ck_assert_float_eq(max_diff(y, ref, n), 0.0f);
	host_close(&t);
	free(x), free(y), free(ref);
}
END_TEST

/* Switching bypass on mid-stream glides to the dry signal over 20 ms (no
 * step larger than a ramp step's share of the difference), then is exactly
 * the delayed input; switching back glides back to the library's output. */
START_TEST(bypass_ramps)
{
	const int rate = 48000;
	size_t n = (size_t)rate * 2, sw = (size_t)rate / 2, lat;
	static const size_t blocks[] = { 256 };
	float *x = test_signal(n, rate, 4), *y = malloc(n * 4), *ref = malloc(n * 4);
	host t;
	size_t first_dry = 0;

	ck_assert(host_open(&t, "gtcrn_mono", (unsigned long)rate, 1.0f, 100.0f, 0.0f));
	host_run(&t, &x, &y, sw, blocks, 1);
	t.ctl[BYPASS] = 1.0f;
	host_run(&t, (float *[]){ x + sw }, (float *[]){ y + sw }, n - sw, blocks, 1);
	lat = (size_t)t.ctl[LATENCY];
	reference(x, ref, n, rate, 1.0f, -1.0f);
	ck_assert_float_eq(max_diff(y, ref, sw), 0.0f);
	for (size_t i = sw; i < n && !first_dry; i++) {
		int dry = 1;
		for (size_t j = i; j < i + 64 && j < n; j++)
			dry &= y[j] == x[j - lat];
		if (dry)
			first_dry = i;
	}
	/* 20 ms = 960 samples at 48 kHz, in 16-sample steps */
	ck_assert_msg(first_dry > sw + 900 && first_dry <= sw + 960 + 16, "dry from %zu (switch %zu)",
	              first_dry, sw);
	ck_assert_float_eq(max_diff(y + first_dry, x + first_dry - lat, n - first_dry), 0.0f);
	for (size_t i = sw; i < first_dry; i++) {   /* between the two, sample by sample */
		float lo = fminf(ref[i], x[i - lat]), hi = fmaxf(ref[i], x[i - lat]);
		ck_assert_msg(y[i] >= lo - 1e-6f && y[i] <= hi + 1e-6f, "sample %zu outside the mix", i);
	}
	host_close(&t);
	free(x), free(y), free(ref);
}
END_TEST

/* --- run() under a seccomp filter that allows no system call but exit:
 * any other (a write, an open, a futex wait, an mmap) stops the child with
 * SIGSYS, whose handler records the call's number and exits. */

static volatile long *bad_syscall;   /* shared with the parent */

#if defined(__x86_64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define TEST_AUDIT_ARCH AUDIT_ARCH_I386
#else
#define TEST_AUDIT_ARCH 0u           /* calls are checked by number alone */
#endif

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	*bad_syscall = si->si_syscall;
	syscall(SYS_exit_group, 3);
}

static void forbid_syscalls(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TEST_AUDIT_ARCH, 1, TEST_AUDIT_ARCH ? 0 : 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),    /* another ABI */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	sigaction(SIGSYS, &sa, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		_exit(4);
}

START_TEST(run_makes_no_syscall)
{
	const char *label = _i ? "gtcrn_stereo" : "gtcrn_mono";
	size_t n = 48000 * 3, chunk = 256;
	float *x[2] = { test_signal(n, 48000, 8), test_signal(n, 48000, 9) }, *y[2] = { malloc(n * 4), malloc(n * 4) };
	host t;
	pid_t pid;
	int status;

	bad_syscall = mmap(NULL, sizeof(long), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert(bad_syscall != MAP_FAILED);
	*bad_syscall = -1;
	setenv("GTCRN_VAD_MODEL", VAD, 1);   /* with the VAD gate, 24 dB */
	ck_assert(host_open(&t, label, 48000, 1.0f, 100.0f, 0.0f));
	unsetenv("GTCRN_VAD_MODEL");
	t.ctl[GATE] = 24.0f;
	fflush(NULL);
	if (!(pid = fork())) {
		forbid_syscalls();
		for (size_t done = 0; done + chunk <= n; done += chunk) {
			if (done / chunk == 150)         /* control changes: ramps, a new limit */
				t.ctl[BYPASS] = 1.0f, t.ctl[ATTEN] = 12.0f;
			if (done / chunk == 300)
				t.ctl[BYPASS] = 0.0f, t.ctl[MIX] = 0.4f;
			for (int c = 0; c < t.channels; c++) {
				t.d->connect_port(t.h, (unsigned long)c, x[c] + done);
				t.d->connect_port(t.h, (unsigned long)(t.channels + c), y[c] + done);
			}
			t.d->run(t.h, chunk);
		}
		syscall(SYS_exit_group, 0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(*bad_syscall < 0, "%s: run() made system call %ld", label, *bad_syscall);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child status %#x", label,
	              status);
	host_close(&t);
	munmap((void *)bad_syscall, sizeof(long));
	free(x[0]), free(x[1]), free(y[0]), free(y[1]);
}
END_TEST

/* LADSPA lets a host connect ports after activate(): the first run() takes
 * the controls as they are then, without a glide. */
START_TEST(connect_after_activate)
{
	size_t n = 48000;
	static const size_t blocks[] = { 512 };
	float *x = test_signal(n, 48000, 10), *y = malloc(n * 4), *ref = malloc(n * 4);
	host t;

	memset(&t, 0, sizeof t);
	t.d = descriptor_fn(0);
	t.channels = 1;
	ck_assert_ptr_nonnull(t.h = t.d->instantiate(t.d, 48000));
	t.d->activate(t.h);
	t.ctl[MIX] = 0.3f;
	t.ctl[ATTEN] = 9.0f;
	for (int k = 0; k < 4; k++)
		t.d->connect_port(t.h, (unsigned long)(2 + k), &t.ctl[k]);
	host_run(&t, &x, &y, n, blocks, 1);
	reference(x, ref, n, 48000, 0.3f, 9.0f);
	ck_assert_float_eq(max_diff(y, ref, n), 0.0f);
	ck_assert_float_eq(t.ctl[LATENCY], 2023.0f);
	host_close(&t);
	free(x), free(y), free(ref);
}
END_TEST

/* activate() starts a new stream: the same input gives the same output. */
START_TEST(activate_resets)
{
	size_t n = 16000;
	static const size_t blocks[] = { 100 };
	float *x = test_signal(n, 16000, 5), *y1 = malloc(n * 4), *y2 = malloc(n * 4);
	host t;

	ck_assert(host_open(&t, "gtcrn_mono", 16000, 1.0f, 100.0f, 0.0f));
	host_run(&t, &x, &y1, n, blocks, 1);
	t.d->activate(t.h);
	host_run(&t, &x, &y2, n, blocks, 1);
	ck_assert_float_eq(max_diff(y1, y2, n), 0.0f);
	host_close(&t);
	free(x), free(y1), free(y2);
}
END_TEST

/* In place (input and output one buffer), and stereo with the left output
 * written into the right input's buffer: still the library's output. */
START_TEST(shared_buffers)
{
	size_t n = 32000;
	static const size_t blocks[] = { 500 };
	float *x[2] = { test_signal(n, 32000, 6), test_signal(n, 32000, 7) }, *ref[2] = { malloc(n * 4), malloc(n * 4) };
	float *b[2] = { malloc(n * 4), malloc(n * 4) };
	host t;

	for (int c = 0; c < 2; c++)
		reference(x[c], ref[c], n, 32000, 1.0f, -1.0f);
	memcpy(b[0], x[0], n * 4);
	ck_assert(host_open(&t, "gtcrn_mono", 32000, 1.0f, 100.0f, 0.0f));
	host_run(&t, b, b, n, blocks, 1);                  /* in place */
	ck_assert_float_eq(max_diff(b[0], ref[0], n), 0.0f);
	host_close(&t);

	memcpy(b[0], x[0], n * 4);
	memcpy(b[1], x[1], n * 4);
	ck_assert(host_open(&t, "gtcrn_stereo", 32000, 1.0f, 100.0f, 0.0f));
	/* out L -> in R's buffer, out R -> in L's buffer */
	host_run(&t, b, (float *[]){ b[1], b[0] }, n, blocks, 1);
	ck_assert_float_eq(max_diff(b[1], ref[0], n), 0.0f);
	ck_assert_float_eq(max_diff(b[0], ref[1], n), 0.0f);
	host_close(&t);
	free(x[0]), free(x[1]), free(ref[0]), free(ref[1]), free(b[0]), free(b[1]);
}
END_TEST

/* No model, a file that is not one, or a rate the library refuses: the host
 * gets NULL from instantiate() (and the reason on stderr). */
/* The VAD gate (GTCRN_VAD_MODEL set): the latency port adds the gate's;
 * the output is the library's enhancement through gtcrn_gate (a linked
 * gate over the channels), sample for sample, for depth 0 (the delay
 * alone), 24 dB and under bypass (depth 0 again), whatever the host's blocks;
 * run() allocates nothing. */
START_TEST(vad_gate)
{
	static const size_t blocks[] = { 512, 3, 1000, 64, 4096 };
	const char *label = _i % 2 ? "gtcrn_stereo" : "gtcrn_mono";
	const float depth[3] = { 0.0f, 24.0f, 24.0f };    /* the third under bypass */
	const int rate = 48000, k = _i / 2, C = _i % 2 ? 2 : 1;
	size_t n = (size_t)rate * 3, lat;
	float *x[2] = { test_signal(n, rate, 11), test_signal(n, rate, 12) }, *y[2], *inter, *enh;
	gtcrn_vad_model *vm;
	gtcrn_vad_opts vo;
	gtcrn_gate_opts go;
	gtcrn_gate *g;
	gtcrn_state *s;
	gtcrn_opts o;
	char err[256];
	host t;

	y[0] = malloc(n * 4);
	y[1] = malloc(n * 4);
	inter = malloc(n * 2 * sizeof(float));
	enh = malloc(n * sizeof(float));
	setenv("GTCRN_VAD_MODEL", VAD, 1);
	ck_assert(host_open(&t, label, (unsigned long)rate, 1.0f, 100.0f, k == 2 ? 1.0f : 0.0f));
	t.ctl[GATE] = depth[k];
	heap_calls = 0;
	host_run(&t, x, y, n, blocks, 5);
	ck_assert_msg(heap_calls == 0, "%lu heap calls in run() with the gate", heap_calls);
	/* the library: the enhancement (or, bypassed, the delayed input), then the gate */
	ck_assert_int_eq(gtcrn_vad_model_load(VAD, &vm, err, sizeof err), 0);
	gtcrn_vad_opts_init(&vo);
	vo.sample_rate = rate;
	gtcrn_gate_opts_init(&go);
	go.depth_db = 0.0f;
	ck_assert_msg(gtcrn_gate_create(vm, &vo, &go, C, &g, err, sizeof err) == 0, "%s", err);
	lat = gtcrn_gate_latency(g);
	gtcrn_opts_init(&o);
	o.sample_rate = rate;
	ck_assert_int_eq(gtcrn_state_create(model, &o, &s, err, sizeof err), 0);
	ck_assert_float_eq(t.ctl[LATENCY], (float)(gtcrn_latency(s) + lat));
	gtcrn_state_free(s);
	for (int c = 0; c < C; c++) {
		reference(x[c], enh, n, rate, k == 2 ? 0.0f : 1.0f, -1.0f);
		for (size_t i = 0; i < n; i++)
			inter[i * (size_t)C + (size_t)c] = enh[i];
	}
	if (k == 1)
		gtcrn_gate_set_depth(g, depth[k]);
	ck_assert_int_eq(gtcrn_gate_process(g, inter, inter, n), 0);
	for (int c = 0; c < C; c++) {
		for (size_t i = 0; i < n; i++)
			enh[i] = inter[i * (size_t)C + (size_t)c];
		ck_assert_msg(max_diff(y[c], enh, n) <= 1e-6f, "%s, gate %g dB%s, channel %d: %g",
		              label, (double)depth[k], k == 2 ? " under bypass" : "", c,
		              (double)max_diff(y[c], enh, n));
	}
	if (k == 1) {   /* the comparison means something: the gate did attenuate */
		double e_gated = 0, e_open = 0;
		reference(x[0], enh, n, rate, 1.0f, -1.0f);
		for (size_t i = lat; i < n; i++) {
			e_gated += (double)y[0][i] * y[0][i];
			e_open += (double)enh[i - lat] * enh[i - lat];
		}
		ck_assert_msg(e_gated < 0.5 * e_open, "%s: the 24 dB gate kept %.2f of the energy",
		              label, e_gated / e_open);
	}
	gtcrn_gate_free(g);
	gtcrn_vad_model_free(vm);
	host_close(&t);
	unsetenv("GTCRN_VAD_MODEL");
	free(x[0]), free(x[1]), free(y[0]), free(y[1]), free(inter), free(enh);
}
END_TEST

START_TEST(instantiate_failures)
{
	host t;

	setenv("GTCRN_MODEL", "/nonexistent/model.onnx", 1);
	ck_assert(!host_open(&t, "gtcrn_mono", 48000, 1, 100, 0));
	setenv("GTCRN_MODEL", PLUGIN, 1);             /* an ELF file, not ONNX */
	ck_assert(!host_open(&t, "gtcrn_stereo", 48000, 1, 100, 0));
	setenv("GTCRN_MODEL", MODEL, 1);
	ck_assert(!host_open(&t, "gtcrn_mono", 0, 1, 100, 0));
	ck_assert(host_open(&t, "gtcrn_mono", 22050, 1, 100, 0));
	host_close(&t);
}
END_TEST

/* What instantiate() tells the host's user on stderr, captured through a
 * temporary file in place of fd 2; 1 if it gave an instance (closed again). */
static int host_open_said(const char *label, char *said, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2), ok;
	host t;
	size_t n;

	ck_assert(f && saved >= 0);
	fflush(stderr);
	ck_assert(dup2(fileno(f), 2) == 2);
	ok = host_open(&t, label, 48000, 1, 100, 0);
	fflush(stderr);
	ck_assert(dup2(saved, 2) == 2);
	close(saved);
	rewind(f);
	n = fread(said, 1, len - 1, f);
	said[n] = 0;
	fclose(f);
	if (ok)
		host_close(&t);
	return ok;
}

/* An offline export: no instance, and the message says what the host's
 * user sets (GTCRN_MODEL, make install-model), not a library function. */
START_TEST(offline_model_message)
{
	char said[2048];

	setenv("GTCRN_MODEL", MODELS_DIR "/gtcrn_offline_op13.onnx", 1);
	ck_assert(!host_open_said("gtcrn_mono", said, sizeof said));
	setenv("GTCRN_MODEL", MODEL, 1);
	ck_assert_msg(strstr(said, "gtcrn_mono: ") && strstr(said, "offline export") &&
	              strstr(said, "set GTCRN_MODEL to a streaming export") &&
	              strstr(said, "make install-model MODEL=") && !strstr(said, "gtcrn_enhance"),
	              "the plugin said:\n%s", said);
	ck_assert(host_open_said("gtcrn_mono", said, sizeof said));
	ck_assert_msg(!said[0], "a working instance said:\n%s", said);
}
END_TEST

int main(void)
{
	const struct test_def tests[] = {
		{ "plugin", descriptors, .timeout_s = 120 },
		{ "plugin", matches_library, 0, 10 }, { "plugin", controls },
		{ "plugin", bypass_ramps }, { "plugin", run_makes_no_syscall, 0, 2 },
		{ "plugin", activate_resets }, { "plugin", connect_after_activate },
		{ "plugin", shared_buffers }, { "plugin", instantiate_failures },
		{ "plugin", offline_model_message }, { "plugin", vad_gate, 0, 6, 120 },
	};
	Suite *s;
	int rc;

	load_plugin();
	load_model();
	s = suite_from_table("ladspa", tests, N_ELEMS(tests));
	rc = run_suites(&s, 1, 1);
	gtcrn_model_free(model);
	unload_plugin();
	return rc;
}
