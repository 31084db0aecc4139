/* alloc_count.h - counts of heap calls since the program started, for
 * grt-bench and tests/check_alloc: a program that compiles in
 * tools/alloc_count.c (and links with -export-dynamic) has malloc, calloc,
 * realloc, posix_memalign, aligned_alloc and free counted wherever they are
 * called from, its own code and the shared libraries alike (libgrt,
 * libgtcrn, libc, FFTW). Under AddressSanitizer, whose allocator cannot be
 * replaced, its hooks count instead (a realloc then counts as an allocation
 * and a free). Take differences: the counts only grow. */
#ifndef ALLOC_COUNT_H
#define ALLOC_COUNT_H

unsigned long alloc_count_allocs(void);   /* malloc, calloc, realloc, posix_memalign, aligned_alloc */
unsigned long alloc_count_frees(void);    /* free of a non-NULL pointer */

#endif
