/* testset.h - tools/testset.h (test data sets, .npy files) for the Check
 * programs. */
#ifndef TESTS_TESTSET_H
#define TESTS_TESTSET_H

#include "tools/testset.h"

/* The tolerance against ONNX Runtime's goldens: |got - expected| <= GOLDEN_ATOL +
 * GOLDEN_RTOL * |expected| per element. */
#define GOLDEN_ATOL 1e-4
#define GOLDEN_RTOL 1e-3

/* A model's golden data sets: MODELS_DIR/<model>.onnx, the test_data_set_* folders
 * of TESTDATA_DIR/<sets>, and how many there are. */
struct golden_suite {
	const char *model, *sets;
	int n_sets;
};

#endif
