/* denoise.c - built by tests/install/installcheck.sh against the INSTALLED
 * headers and libraries, through pkg-config, as a user's program would be:
 *
 *   cc denoise.c $(pkg-config --cflags --libs gtcrn) -o denoise
 *
 * It loads the default model (gtcrn_default_model_path: the one
 * `make install-model` installed, or $GTCRN_MODEL), describes its graph
 * with the runtime API (grt.h), streams two seconds of a noisy 48 kHz tone
 * through a state in 480-sample blocks and checks that the output is
 * finite, silent for the latency, then not silent. Exit 0 when all holds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <gtcrn.h>

#define RATE 48000
#define BLOCK 480

int main(void)
{
	const char *path = gtcrn_default_model_path();
	gtcrn_model *m;
	gtcrn_state *s;
	gtcrn_opts o;
	const grt_model *g;
	char err[256];
	float in[BLOCK], out[BLOCK];
	double energy = 0;
	size_t lat, t = 0;
	unsigned seed = 1;

	if (gtcrn_model_load(path, &m, err, sizeof err)) {
		fprintf(stderr, "denoise: %s\n", err);
		return 1;
	}
	g = gtcrn_model_graph(m);
	printf("denoise: libgtcrn %s, model %s: %d inputs, %d outputs, %d nodes, opset %d\n",
	       gtcrn_version(), path, grt_model_n_inputs(g), grt_model_n_outputs(g),
	       grt_model_n_nodes(g), grt_model_opset(g));
	gtcrn_opts_init(&o);
	o.sample_rate = RATE;
	if (gtcrn_state_create(m, &o, &s, err, sizeof err)) {
		fprintf(stderr, "denoise: %s\n", err);
		return 1;
	}
	lat = gtcrn_latency(s);
	for (int b = 0; b < 2 * RATE / BLOCK; b++) {
		for (int i = 0; i < BLOCK; i++, t++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = 0.3f * (float)sin(2 * M_PI * 220.0 * (double)t / RATE) +
			        0.05f * ((float)(seed >> 8) / (1 << 24) - 0.5f);
		}
		if (gtcrn_process(s, in, out, BLOCK)) {
			fprintf(stderr, "denoise: %s\n", gtcrn_state_errmsg(s));
			return 1;
		}
		for (int i = 0; i < BLOCK; i++) {
			size_t k = t - BLOCK + (size_t)i;
			if (!isfinite(out[i]) || (k < lat && out[i] != 0.0f)) {
				fprintf(stderr, "denoise: sample %zu is %g\n", k, (double)out[i]);
				return 1;
			}
			energy += (double)out[i] * out[i];
		}
	}
	printf("denoise: %zu samples at %d Hz, latency %zu, output rms %.4f\n", t, RATE, lat,
	       sqrt(energy / (double)t));
	gtcrn_state_free(s);
	gtcrn_model_free(m);
	return energy > 0 ? 0 : 1;
}
