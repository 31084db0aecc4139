/* cli_info.c - gtcrn-run's model: loaded and planned once before any input
 * is touched, and described by --model-info. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "tools/cli.h"

int load_model(const char *path, gtcrn_model **m, gtcrn_model_info *info)
{
	char err[ERR_LEN];
	int rc;

	err[0] = 0;
	rc = gtcrn_model_load(path, m, err, sizeof(err));
	if (rc) {
		const char *why = err[0] ? err : gtcrn_strerror(rc);
		size_t k = strlen(path);
		if (!strncmp(why, path, k) && !strncmp(why + k, ": ", 2))   /* named already */
			why += k + 2;
		msg("%s: cannot load the model: %s", path, why);
		return RC_MODEL;
	}
	gtcrn_model_info_get(*m, info);
	/* plan the network once now, so that a model the runtime cannot run
	 * fails here, before any input is touched */
	if (info->kind == GTCRN_STREAMING) {
		gtcrn_state *s = NULL;
		rc = gtcrn_state_create(*m, NULL, &s, err, sizeof(err));
		gtcrn_state_free(s);
	} else {
		size_t bytes;
		rc = gtcrn_offline_bytes(*m, NULL, (size_t)info->sample_rate, &bytes, err, sizeof(err));
	}
	if (rc) {
		msg("%s: %s", path, err);
		gtcrn_model_free(*m);
		*m = NULL;
		return RC_MODEL;
	}
	return RC_OK;
}

static void print_shape(const grt_value *v, const char *const *names)
{
	printf("%s (", grt_dtype_name(v->dtype));
	for (int d = 0; d < v->ndim; d++) {
		if (v->dims[d] >= 0)
			printf("%s%lld", d ? ", " : "", (long long)v->dims[d]);
		else
			printf("%s%s", d ? ", " : "", names[d] ? names[d] : "?");
	}
	printf(")");
}

/* A Silero VAD or DNSMOS model described; -1 (nothing printed) when path
 * is neither. */
static int speech_model_info(const char *path)
{
	gtcrn_vad_model *v = NULL;
	gtcrn_dnsmos_model *d = NULL;
	char err[ERR_LEN];

	if (!gtcrn_vad_model_load(path, &v, err, sizeof(err))) {
		int r16 = gtcrn_vad_model_has_rate(v, 16000), r8 = gtcrn_vad_model_has_rate(v, 8000);
		printf("model: %s\n", path);
		printf("kind: Silero VAD v%d (%s%s%s Hz, windows of %s samples)\n",
		       gtcrn_vad_model_version(v), r16 ? "16000" : "", r16 && r8 ? " and " : "",
		       r8 ? "8000" : "", r16 && r8 ? "512 and 256" : r16 ? "512" : "256");
		gtcrn_vad_model_free(v);
		return 0;
	}
	if (!gtcrn_dnsmos_model_load(path, &d, err, sizeof(err))) {
		printf("model: %s\n", path);
		printf("kind: DNSMOS P.835 (SIG, BAK, OVRL of 9.01 s windows at 16000 Hz)\n");
		gtcrn_dnsmos_model_free(d);
		return 0;
	}
	return -1;
}

int model_info(const char *path)
{
	gtcrn_model *m = NULL;
	gtcrn_model_info in;
	const grt_model *g;
	grt_value vals[64];
	grt_session_opts so = { NULL, 0, GRT_SESSION_PLAN_ONLY, 0, 0 };
	grt_session *s = NULL;
	grt_session_stats st;
	char err[ERR_LEN];
	int rc, n_in, n_out;

	if (!speech_model_info(path))
		return RC_OK;
	if ((rc = load_model(path, &m, &in)))
		return rc;
	g = gtcrn_model_graph(m);
	n_in = grt_model_n_inputs(g);
	n_out = grt_model_n_outputs(g);
	printf("model: %s\n", path);
	if (in.kind == GTCRN_STREAMING)
		printf("kind: streaming (one STFT frame per run, %d caches fed back)\n", in.n_caches);
	else
		printf("kind: offline (all STFT frames in one run, dynamic time axis)\n");
	printf("sample rate: %d Hz\n", in.sample_rate);
	printf("stft: n_fft %d, hop %d, window %d %s, %d bins\n", in.n_fft, in.hop_length,
	       in.window_length, in.window_type, in.n_bins);
	if (in.kind == GTCRN_STREAMING)
		printf("latency: %zu samples (%.1f ms) at %d Hz\n", in.latency,
		       1000.0 * (double)in.latency / in.sample_rate, in.sample_rate);
	else
		printf("latency: whole file (offline)\n");
	printf("opset: %d\nir version: %lld\n", grt_model_opset(g),
	       (long long)grt_model_ir_version(g));
	for (int io = 0; io < 2; io++) {
		int n = io ? n_out : n_in;
		printf("%s:\n", io ? "outputs" : "inputs");
		for (int i = 0; i < n; i++) {
			const char *name, *names[GRT_MAX_DIMS];
			grt_value v;
			if (io)
				grt_model_output(g, i, &name, &v, names);
			else
				grt_model_input(g, i, &name, &v, names);
			printf("  %s: ", name);
			print_shape(&v, names);
			if (!strcmp(name, io ? in.spec_output : in.spec_input))
				printf("  [spectrum]");
			printf("\n");
		}
	}
	for (int i = 0; i < in.n_caches; i++) {
		const char *ci, *co;
		if (!gtcrn_model_cache(m, i, &ci, &co))
			printf("cache %d: %s <- %s\n", i, ci, co);
	}
	/* a plan for the declared shapes; offline: T = 100 frames */
	if (in.kind == GTCRN_OFFLINE) {
		if (n_in > (int)(sizeof(vals) / sizeof(vals[0]))) {
			msg("%s: %d inputs", path, n_in);
			gtcrn_model_free(m);
			return RC_MODEL;
		}
		for (int i = 0; i < n_in; i++) {
			const char *name;
			grt_model_input(g, i, &name, &vals[i], NULL);
			for (int d = 0; d < vals[i].ndim; d++)
				if (vals[i].dims[d] < 0)
					vals[i].dims[d] = !strcmp(name, in.spec_input) && d == 2 ? 100 : 1;
			vals[i].data = NULL;
		}
		so.inputs = vals;
		so.n_inputs = n_in;
	}
	rc = grt_session_create(g, &so, &s, err, sizeof(err));
	if (rc) {
		msg("%s: cannot plan the model: %s", path, err);
		gtcrn_model_free(m);
		return RC_MODEL;
	}
	grt_session_stats_get(s, &st);
	/* every node of the file in one category (grt.h): the figures add up */
	printf("nodes: %d in the file = %d folded + %d dead + %d fused away + %d views + "
	       "%d empty + %d to run (%d of them in place)\n", st.n_nodes_model, st.n_nodes_folded,
	       st.n_nodes_dead, st.n_nodes_rewritten_away, st.n_nodes_aliased, st.n_nodes_empty,
	       st.n_nodes_planned, st.n_nodes_inplace);
	printf("arena: %zu bytes, scratch %zu bytes, constants %zu bytes%s\n", st.arena_bytes,
	       st.scratch_bytes, st.const_bytes,
	       in.kind == GTCRN_OFFLINE ? " (planned for T = 100 frames; grows with T)" : "");
	grt_session_free(s);
	printf("metadata:%s\n", grt_model_n_metadata(g) ? "" : " none");
	for (int i = 0; i < grt_model_n_metadata(g); i++) {
		const char *k, *v;
		if (!grt_model_metadata_at(g, i, &k, &v))
			printf("  %s = %s\n", k, v);
	}
	gtcrn_model_free(m);
	if (fflush(stdout) || ferror(stdout)) {
		msg("stdout: write failed: %s", strerror(errno));
		return RC_OUTPUT;
	}
	return RC_OK;
}

