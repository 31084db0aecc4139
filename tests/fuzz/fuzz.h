/* fuzz.h - the fuzz targets' shared parts (tests/fuzz/, issue 5).
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with clang and
 * -fsanitize=fuzzer (configure --enable-fuzzing, `make fuzz`), libFuzzer
 * drives it; in every build, replay.c drives it over the seeds and the inputs
 * of past crashes, so `make check` replays them. */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads data as a model; if it loads, plans a session with the declared
 * input shapes (dynamic dims set to 2) within a 64 MiB budget and, if the
 * plan is small enough to run quickly, runs it once on zeros. */
void fuzz_model_bytes(const uint8_t *data, size_t size);

/* The seed models of fuzz_load and fuzz_mutate (seeds.c), each handed to fn
 * as serialized bytes: generated from source, never committed as files. */
typedef void (*fuzz_seed_fn)(const char *name, const uint8_t *buf, size_t len, void *ctx);
void fuzz_seeds(fuzz_seed_fn fn, void *ctx);
/* The model inputs of past crashes and hangs (regress.c), the same way. */
void fuzz_regress(fuzz_seed_fn fn, void *ctx);
/* Serialises g (tests/modelgen.h; frees it) and hands it to fn as name. */
struct mg;
void fuzz_emit(struct mg *g, const char *name, fuzz_seed_fn fn, void *ctx);

#endif
