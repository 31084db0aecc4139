/* check_audio.h - what the test programs on libgtcrn read: mono WAV files and
 * GTCRN models by name. Each asserts (Check) and names the file on failure. */
#ifndef TESTS_CHECK_AUDIO_H
#define TESTS_CHECK_AUDIO_H

#include <stddef.h>
#include "enhance/gtcrn.h"

/* The samples of the mono file at path as floats (*n of them; malloc'ed with
 * one spare float; free it). */
float *read_wav(const char *path, size_t *n);
/* MODELS_DIR/name.onnx, loaded by gtcrn_model_load (free with gtcrn_model_free). */
gtcrn_model *load_gtcrn(const char *name);

#endif
