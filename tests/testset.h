/* testset.h - tools/testset.h (test data sets, .npy files) and, for the
 * Check programs, the op types of a model file (tests/testset.c). */
#ifndef TESTS_TESTSET_H
#define TESTS_TESTSET_H

#include "tools/testset.h"

/* Lists the op types used by the model file (malloc'ed strings). */
int ts_model_op_types(const char *path, char **types, int max);

#endif
