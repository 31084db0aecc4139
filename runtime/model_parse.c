/* model_parse.c - the protobuf side of loading a model: the memory the parse
 * tree lives in (private mappings, given back whole) and the walk of the wire
 * format that refuses nesting too deep for protobuf-c's recursion, before the
 * bytes are unpacked (runtime/model.c) and converted (runtime/model_convert.c). */
#include <stdint.h>
#include <sys/mman.h>
#include "runtime/internal.h"

/* --- the parse tree's memory --- */

/* protobuf-c allocates the tree node by node: thousands of small blocks for
 * an unsimplified export, freed again as soon as the model is converted.
 * From malloc they would leave the heap holey and resident for the life of
 * the process; here they are carved from private mappings that go back to
 * the system whole. Large blocks (weights' raw bytes) get a mapping each,
 * so that the loader can give them back one by one as it copies them. */

#define PARSE_CHUNK (256 * 1024)
#define PARSE_BIG   (32 * 1024)

struct parse_block { struct parse_block *next; size_t size, used; };   /* 32 bytes */
#define PARSE_HDR ((sizeof(struct parse_block) + 15) & ~(size_t)15)

static struct parse_block *parse_map(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct parse_block *b;

	if (p == MAP_FAILED)
		return NULL;
	b = p;
	b->size = size;
	b->used = PARSE_HDR;
	return b;
}

void *parse_alloc(void *data, size_t size)
{
	struct parse_arena *a = data;
	struct parse_block *b = a->chunks;

	size = (size + 15) & ~(size_t)15;
	if (size >= PARSE_BIG) {
		if (size > SIZE_MAX - PARSE_HDR || !(b = parse_map(PARSE_HDR + size)))
			return NULL;
		b->next = a->big;
		a->big = b;
		return (char *)b + PARSE_HDR;
	}
	if (!b || b->size - b->used < size) {
		if (!(b = parse_map(PARSE_CHUNK)))
			return NULL;
		b->next = a->chunks;
		a->chunks = b;
	}
	b->used += size;
	return (char *)b + b->used - size;
}

/* Small blocks go with their chunk; a large one goes now. */
void parse_free(void *data, void *ptr)
{
	struct parse_arena *a = data;

	for (struct parse_block **pb = &a->big; ptr && *pb; pb = &(*pb)->next)
		if ((char *)*pb + PARSE_HDR == ptr) {
			struct parse_block *b = *pb;
			*pb = b->next;
			munmap(b, b->size);
			return;
		}
}

void parse_arena_free(struct parse_arena *a)
{
	struct parse_block *b, *next;

	for (int list = 0; list < 2; list++)
		for (b = list ? a->big : a->chunks; b; b = next) {
			next = b->next;
			munmap(b, b->size);
		}
	a->chunks = a->big = NULL;
}

/* --- nesting --- */

/* protobuf-c unpacks nested messages by recursion, so a small file that nests
 * subgraphs (or sequence types) thousands deep would overflow the stack. The
 * wire format is walked first, without recursion, through the fields where
 * ONNX messages can contain themselves; deeper than MAX_NESTING is refused. */
#define MAX_NESTING 64

enum msg_kind { M_MODEL, M_GRAPH, M_NODE, M_ATTR, M_VALUE, M_TYPE, M_TYPE_ELEM, M_TYPE_MAP,
                M_FUNCTION, M_TRAINING, M_OTHER };

/* The kind of field `field` of a `kind` message, or M_OTHER if it cannot lead
 * back to a recursive message (then it is skipped whole). */
static enum msg_kind child_kind(enum msg_kind kind, uint64_t field)
{
	switch (kind) {
	case M_MODEL:
		return field == 7 ? M_GRAPH : field == 20 ? M_TRAINING : field == 25 ? M_FUNCTION :
		       M_OTHER;
	case M_GRAPH:
		return field == 1 ? M_NODE : field >= 11 && field <= 13 ? M_VALUE : M_OTHER;
	case M_NODE:
		return field == 5 ? M_ATTR : M_OTHER;
	case M_ATTR:
		return field == 6 || field == 11 ? M_GRAPH : field == 14 || field == 15 ? M_TYPE :
		       M_OTHER;
	case M_VALUE:
		return field == 2 ? M_TYPE : M_OTHER;
	case M_TYPE:         /* sequence_type, optional_type / map_type */
		return field == 4 || field == 9 ? M_TYPE_ELEM : field == 5 ? M_TYPE_MAP : M_OTHER;
	case M_TYPE_ELEM:
		return field == 1 ? M_TYPE : M_OTHER;
	case M_TYPE_MAP:
		return field == 2 ? M_TYPE : M_OTHER;
	case M_FUNCTION:
		return field == 7 ? M_NODE : field == 11 ? M_ATTR : field == 12 ? M_VALUE : M_OTHER;
	case M_TRAINING:
		return field == 1 || field == 2 ? M_GRAPH : M_OTHER;
	default:
		return M_OTHER;
	}
}

static int read_varint(const uint8_t *p, size_t end, size_t *at, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *at < end; shift += 7) {
		uint8_t b = p[(*at)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 1;
	}
	return 0;
}

int check_nesting(const uint8_t *p, size_t len, char *err, size_t err_len)
{
	size_t end[MAX_NESTING + 1], at = 0;
	enum msg_kind kind[MAX_NESTING + 1];
	int depth = 0;

	end[0] = len;
	kind[0] = M_MODEL;
	for (;;) {
		uint64_t key, v;
		while (depth > 0 && at == end[depth])
			depth--;                          /* that message is done */
		if (at == end[depth] && depth == 0)
			return GRT_OK;
		if (!read_varint(p, end[depth], &at, &key))
			break;
		switch (key & 7) {
		case 0:
			if (!read_varint(p, end[depth], &at, &v))
				goto bad;
			continue;
		case 1:
			v = 8;
			break;
		case 5:
			v = 4;
			break;
		case 2:
			if (!read_varint(p, end[depth], &at, &v))
				goto bad;
			break;
		default:
			goto bad;
		}
		if (v > end[depth] - at)
			goto bad;
		if ((key & 7) == 2 && child_kind(kind[depth], key >> 3) != M_OTHER) {
			if (depth == MAX_NESTING) {
				set_err(err, err_len, "the model nests messages (subgraphs or types) "
				        "deeper than %d levels", MAX_NESTING);
				return GRT_E_LIMIT;
			}
			kind[depth + 1] = child_kind(kind[depth], key >> 3);
			end[depth + 1] = at + (size_t)v;
			depth++;
			continue;
		}
		at += (size_t)v;
	}
bad:
	set_err(err, err_len, "not an ONNX model: the %zu bytes do not parse as onnx.ModelProto "
	        "(truncated or corrupt file? the wire format breaks at byte %zu)", len, at);
	return GRT_E_PARSE;
}
