/* testset.h - tools/testset.h (test data sets, .npy files) for the Check
 * programs. */
#ifndef TESTS_TESTSET_H
#define TESTS_TESTSET_H

#include "tools/testset.h"

#endif
