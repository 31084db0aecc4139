/* model_run.c - model bytes -> load -> plan -> one run (fuzz.h). */
#include <stdint.h>
#include <string.h>
#include "runtime/grt.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_MAX_INPUTS 32
#define FUZZ_BUDGET ((size_t)64 << 20)
#define FUZZ_MAX_MACS 20000000       /* a run must stay well under a second */

void fuzz_model_bytes(const uint8_t *data, size_t size)
{
	grt_value in[FUZZ_MAX_INPUTS];
	grt_session_opts o = { in, 0, 0, FUZZ_BUDGET, 0 };
	grt_model *m = NULL;
	grt_session *s = NULL;
	char err[256];
	int64_t macs = 0;

	if (grt_model_load_buffer(data, size, &m, err, sizeof(err)))
		return;
	o.n_inputs = grt_model_n_inputs(m);
	if (o.n_inputs > FUZZ_MAX_INPUTS)
		goto out;
	for (int i = 0; i < o.n_inputs; i++) {
		grt_model_input(m, i, NULL, &in[i], NULL);
		for (int d = 0; d < in[i].ndim; d++)
			if (in[i].dims[d] < 0)
				in[i].dims[d] = 2;
		in[i].data = NULL;
	}
	if (grt_session_create(m, &o, &s, err, sizeof(err)))
		goto out;
	for (int i = 0; i < grt_session_n_planned(s); i++) {
		grt_node_info ni;
		if (!grt_session_node(s, i, &ni))
			macs += ni.macs;
	}
	if (macs <= FUZZ_MAX_MACS)
		grt_session_run(s);            /* inputs are zeros: the arena starts zeroed */
out:
	grt_session_free(s);
	grt_model_free(m);
}
