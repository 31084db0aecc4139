/* testset.c - see testset.h: the model file's op types, read with the
 * generated protobuf code (the rest is tools/testset.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/onnx.pb-c.h"
#include "tests/testset.h"

int ts_model_op_types(const char *path, char **types, int max)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	Onnx__ModelProto *mp;
	int n = 0;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	mp = onnx__model_proto__unpack(NULL, (size_t)len, buf);
	free(buf);
	if (!mp || !mp->graph) {
		if (mp)
			onnx__model_proto__free_unpacked(mp, NULL);
		return -1;
	}
	for (size_t i = 0; i < mp->graph->n_node; i++) {
		const char *t = mp->graph->node[i]->op_type;
		int seen = 0;
		for (int k = 0; k < n; k++)
			if (!strcmp(types[k], t))
				seen = 1;
		if (!seen && n < max)
			types[n++] = strdup(t);
	}
	onnx__model_proto__free_unpacked(mp, NULL);
	return n;
}
