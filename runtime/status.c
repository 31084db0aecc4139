/* status.c - status codes and messages. */
#include <stdarg.h>
#include <stdio.h>
#include "runtime/internal.h"

const char *grt_strerror(int status)
{
	switch (status) {
	case GRT_OK:              return "success";
	case GRT_E_NOMEM:         return "out of memory";
	case GRT_E_IO:            return "cannot read file";
	case GRT_E_PARSE:         return "not a valid ONNX protobuf message";
	case GRT_E_INVALID_MODEL: return "invalid model";
	case GRT_E_UNSUPPORTED:   return "unsupported operator or feature";
	case GRT_E_CYCLE:         return "graph has a cycle";
	case GRT_E_SHAPE:         return "shape mismatch";
	case GRT_E_DTYPE:         return "element type mismatch";
	case GRT_E_DYNAMIC:       return "shape depends on a value unknown at plan time";
	case GRT_E_INDEX:         return "index out of range";
	case GRT_E_ARG:           return "invalid argument";
	case GRT_E_ATTR:          return "invalid attribute";
	case GRT_E_MISSING:       return "undefined tensor";
	case GRT_E_LIMIT:         return "size limit exceeded";
	}
	return "unknown status";
}

void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}
