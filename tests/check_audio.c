/* check_audio.c - see check_audio.h. */
#include <check.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include "tests/check_audio.h"

float *read_wav(const char *path, size_t *n)
{
	SF_INFO info = { 0 };
	SNDFILE *f = sf_open(path, SFM_READ, &info);
	float *x;

	ck_assert_msg(f != NULL, "%s: %s", path, sf_strerror(NULL));
	ck_assert_msg(info.channels == 1, "%s: %d channels, expected 1", path, info.channels);
	x = malloc(sizeof(float) * ((size_t)info.frames + 1));
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(sf_readf_float(f, x, info.frames), info.frames);
	sf_close(f);
	*n = (size_t)info.frames;
	return x;
}

gtcrn_model *load_gtcrn(const char *name)
{
	char path[1024], err[512];
	gtcrn_model *m = NULL;

	snprintf(path, sizeof(path), "%s/%s.onnx", MODELS_DIR, name);
	ck_assert_msg(gtcrn_model_load(path, &m, err, sizeof(err)) == GTCRN_OK, "%s: %s", path, err);
	return m;
}
