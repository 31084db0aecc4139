/* alloc_count.c - see alloc_count.h. Outside AddressSanitizer the allocator
 * functions are defined here, exported (the build hides symbols by
 * default), on top of glibc's own entry points, so every caller in the
 * process resolves to them. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include "tools/alloc_count.h"

static volatile unsigned long n_allocs, n_frees;

unsigned long alloc_count_allocs(void)
{
	return n_allocs;
}

unsigned long alloc_count_frees(void)
{
	return n_frees;
}

#if defined(__SANITIZE_ADDRESS__)
/* ASan's allocator hooks (sanitizer/allocator_interface.h; gcc ships no header) */
int __sanitizer_install_malloc_and_free_hooks(void (*)(const volatile void *, size_t),
                                              void (*)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	n_allocs++;
}
static void on_free(const volatile void *p)
{
	n_frees += p != NULL;
}
__attribute__((constructor)) static void count_init(void)
{
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
#pragma GCC visibility push(default)
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
	n_allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	n_allocs++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	n_allocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	n_frees += p != NULL;
	__libc_free(p);
}

int posix_memalign(void **p, size_t align, size_t n)
{
	void *q;

	/* a power of two multiple of sizeof(void *), as glibc checks */
	if (align % sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	n_allocs++;
	if (!(q = __libc_memalign(align, n)))
		return ENOMEM;
	*p = q;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	n_allocs++;
	return __libc_memalign(align, n);
}
#pragma GCC visibility pop
#endif
