/* fuzz_load.c - any bytes as an ONNX model (fuzz.h). */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_model_bytes(data, size);
	return 0;
}
