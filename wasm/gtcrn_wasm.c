/* gtcrn_wasm.c - the few helpers the JS module (wasm/gtcrn.js) calls beside libgtcrn's
 * own functions: options and model facts passed as scalars and int arrays, so that the
 * JS side needs no C struct layout. Linked only into gtcrn.wasm (`make wasm`). */
#include <stdint.h>
#include "enhance/gtcrn.h"

#define WASM_EXPORT __attribute__((visibility("default"), used))

/* The model's facts in out[10] (ints): kind (1 streaming, 2 offline), sample_rate,
 * n_fft, hop_length, window_length, n_bins, n_caches, latency (samples at the model's
 * rate), window_type "hann" (1) or "hann_sqrt" (0), the version of the interface (1). */
WASM_EXPORT int gtcrn_wasm_model_info(const gtcrn_model *m, int32_t out[10])
{
	gtcrn_model_info in;
	int rc = gtcrn_model_info_get(m, &in);

	if (rc)
		return rc;
	out[0] = (int32_t)in.kind;
	out[1] = in.sample_rate;
	out[2] = in.n_fft;
	out[3] = in.hop_length;
	out[4] = in.window_length;
	out[5] = in.n_bins;
	out[6] = in.n_caches;
	out[7] = (int32_t)in.latency;
	out[8] = in.window_type && in.window_type[0] == 'h' && in.window_type[4] == '\0';
	out[9] = 1;
	return GTCRN_OK;
}

static void opts_set(gtcrn_opts *o, int rate, float mix, float atten_db, int quality)
{
	gtcrn_opts_init(o);
	o->sample_rate = rate;
	o->mix = mix;
	o->atten_lim_db = atten_db;
	o->resample_quality = quality;
}

/* gtcrn_state_create with the options as scalars (gtcrn_opts' fields) */
WASM_EXPORT int gtcrn_wasm_state_create(const gtcrn_model *m, int rate, float mix,
                                        float atten_db, int quality, gtcrn_state **out,
                                        char *err, size_t err_len)
{
	gtcrn_opts o;

	opts_set(&o, rate, mix, atten_db, quality);
	return gtcrn_state_create(m, &o, out, err, err_len);
}

/* gtcrn_enhance with the options as scalars */
WASM_EXPORT int gtcrn_wasm_enhance(const gtcrn_model *m, int rate, float mix, float atten_db,
                                   int quality, const float *in, float *out, size_t n,
                                   char *err, size_t err_len)
{
	gtcrn_opts o;

	opts_set(&o, rate, mix, atten_db, quality);
	return gtcrn_enhance(m, &o, in, out, n, err, err_len);
}
