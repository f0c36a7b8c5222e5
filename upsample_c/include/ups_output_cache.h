/* The output cache (used by _memory.pyx): a NumPy memory handler (NEP 49)
 * that keeps a few recently freed large blocks and hands them out again,
 * already mapped, for outputs of about the same size.
 *
 * Every block carries a 64-byte header in front of the data (which keeps the
 * data 64-byte aligned): its capacity and how it was obtained, so that free
 * and reuse never depend on the size NumPy passes back. Blocks of at least
 * UPS_MIN_CACHED bytes are mapped from the system directly and unmapped when
 * released, so a released block leaves the process at once, whatever the C
 * library's allocator would have kept of it (except in AddressSanitizer
 * builds, see UPS_MAP_BLOCKS); smaller ones come from malloc and are never
 * cached.
 *
 * The cache holds at most ups_cache_limit bytes in UPS_SLOTS blocks; a block
 * freed into a full cache evicts the least recently freed ones. Its lock is
 * taken around every fork (pthread_atfork), so a child's copy of the cache is
 * always consistent.
 */
#ifndef UPS_OUTPUT_CACHE_H
#define UPS_OUTPUT_CACHE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <numpy/ndarraytypes.h>
#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#define UPS_HAVE_POSIX 1
#else
#define UPS_HAVE_POSIX 0
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif
/* Large blocks are mapped directly, except under AddressSanitizer
   (tools/asan.sh), whose redzones guard only what malloc hands out. */
#if defined(__SANITIZE_ADDRESS__)
#define UPS_MAP_BLOCKS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UPS_MAP_BLOCKS 0
#endif
#endif
#ifndef UPS_MAP_BLOCKS
#define UPS_MAP_BLOCKS UPS_HAVE_POSIX
#endif

#define UPS_HEADER 64
#define UPS_MAGIC 0x5550534d504c4531ULL
#define UPS_MIN_CACHED ((size_t)1 << 20)
#define UPS_SLOTS 32

typedef struct {
    uint64_t magic;
    size_t capacity;  /* usable bytes after the header */
    size_t mapped;    /* bytes mapped with mmap, header included; 0 if from malloc */
} ups_header;

typedef struct { char *base; size_t capacity; uint64_t freed_at; } ups_slot;

static ups_slot ups_cache[UPS_SLOTS];
static size_t ups_cached_bytes = 0;
static size_t ups_cache_limit = (size_t)128 << 20;
static uint64_t ups_free_count = 0;  /* orders the slots by when they were freed */
#if UPS_HAVE_POSIX
static pthread_mutex_t ups_lock = PTHREAD_MUTEX_INITIALIZER;
#define UPS_LOCK() pthread_mutex_lock(&ups_lock)
#define UPS_UNLOCK() pthread_mutex_unlock(&ups_lock)
#else
#define UPS_LOCK()
#define UPS_UNLOCK()
#endif

static void ups_advise_huge(char *base, size_t length) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* As NumPy does for large arrays: fewer, larger page faults. */
    uintptr_t start = ((uintptr_t)base + 4095u) & ~(uintptr_t)4095u;
    uintptr_t stop = ((uintptr_t)base + length) & ~(uintptr_t)4095u;
    if (stop > start) madvise((void *)start, stop - start, MADV_HUGEPAGE);
#else
    (void)base; (void)length;
#endif
}

/* A new block with room for `size` bytes of data; NULL if out of memory. */
static char *ups_new_block(size_t size) {
    char *base = NULL;
    size_t mapped = 0;
    ups_header *header;
#if UPS_MAP_BLOCKS
    if (size >= UPS_MIN_CACHED) {
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        size_t length;
        void *fresh;
        if (size > SIZE_MAX - UPS_HEADER - page) return NULL;
        length = (UPS_HEADER + size + page - 1) / page * page;
        fresh = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (fresh == MAP_FAILED) return NULL;
        base = (char *)fresh;
        mapped = length;
        ups_advise_huge(base, length);
    }
#endif
    if (base == NULL) {
        void *fresh = NULL;
        if (posix_memalign(&fresh, UPS_HEADER, UPS_HEADER + size) != 0) return NULL;
        base = (char *)fresh;
    }
    header = (ups_header *)base;
    header->magic = UPS_MAGIC;
    header->capacity = mapped ? mapped - UPS_HEADER : size;
    header->mapped = mapped;
    return base;
}

/* Give a block back to the system. */
static void ups_release(char *base) {
    ups_header *header = (ups_header *)base;
#if UPS_MAP_BLOCKS
    if (header->mapped) {
        munmap(base, header->mapped);
        return;
    }
#endif
    free(base);
}

/* Take the smallest cached block that fits `size` without wasting more
   than a quarter of it; NULL if none. */
static char *ups_take_cached(size_t size) {
    int best = -1, i;
    char *base = NULL;
    UPS_LOCK();
    for (i = 0; i < UPS_SLOTS; i++) {
        size_t cap = ups_cache[i].capacity;
        if (ups_cache[i].base && cap >= size && cap - size <= cap / 4 &&
            (best < 0 || cap < ups_cache[best].capacity)) best = i;
    }
    if (best >= 0) {
        base = ups_cache[best].base;
        ups_cached_bytes -= ups_cache[best].capacity;
        ups_cache[best].base = NULL;
        ups_cache[best].capacity = 0;
    }
    UPS_UNLOCK();
    return base;
}

/* Empty slots, the least recently freed first, until `room` more bytes fit
   under the limit (and a slot is free, if `need_slot`); the evicted blocks go
   to `evicted` (UPS_SLOTS entries), their number is returned. Called with the
   lock held. */
static int ups_evict_locked(size_t room, int need_slot, char **evicted) {
    int count = 0;
    for (;;) {
        int oldest = -1, free_slot = 0, i;
        for (i = 0; i < UPS_SLOTS; i++) {
            if (!ups_cache[i].base) { free_slot = 1; continue; }
            if (oldest < 0 || ups_cache[i].freed_at < ups_cache[oldest].freed_at) oldest = i;
        }
        if (oldest < 0 || ((free_slot || !need_slot) && ups_cached_bytes + room <= ups_cache_limit))
            break;
        evicted[count++] = ups_cache[oldest].base;
        ups_cached_bytes -= ups_cache[oldest].capacity;
        ups_cache[oldest].base = NULL;
        ups_cache[oldest].capacity = 0;
    }
    return count;
}

/* Keep a freed block if it can fit under the limit, evicting older ones;
   otherwise give it back. */
static void ups_keep_or_release(char *base) {
    char *evicted[UPS_SLOTS];
    int n_evicted = 0, kept = 0, i;
    size_t capacity = ((ups_header *)base)->capacity;
    UPS_LOCK();
    if (capacity >= UPS_MIN_CACHED && capacity <= ups_cache_limit) {
        n_evicted = ups_evict_locked(capacity, 1, evicted);
        for (i = 0; i < UPS_SLOTS; i++) {
            if (!ups_cache[i].base) {
                ups_cache[i].base = base;
                ups_cache[i].capacity = capacity;
                ups_cache[i].freed_at = ++ups_free_count;
                ups_cached_bytes += capacity;
                kept = 1;
                break;
            }
        }
    }
    UPS_UNLOCK();
    for (i = 0; i < n_evicted; i++) ups_release(evicted[i]);
    if (!kept) ups_release(base);
}

static void *ups_malloc(void *ctx, size_t size) {
    char *base = NULL;
    (void)ctx;
    if (size == 0) size = 1;
    if (size > SIZE_MAX - UPS_HEADER) return NULL;
    if (size >= UPS_MIN_CACHED) base = ups_take_cached(size);
    if (base == NULL) base = ups_new_block(size);
    return base == NULL ? NULL : base + UPS_HEADER;
}

static void ups_free(void *ctx, void *ptr, size_t size) {
    char *base;
    (void)ctx; (void)size;
    if (ptr == NULL) return;
    base = (char *)ptr - UPS_HEADER;
    if (((ups_header *)base)->magic != UPS_MAGIC) abort();  /* never ours: refuse to corrupt */
    ups_keep_or_release(base);
}

static void *ups_calloc(void *ctx, size_t nelem, size_t elsize) {
    void *ptr;
    if (elsize != 0 && nelem > SIZE_MAX / elsize) return NULL;
    ptr = ups_malloc(ctx, nelem * elsize);
    if (ptr) memset(ptr, 0, nelem * elsize);
    return ptr;
}

static void *ups_realloc(void *ctx, void *ptr, size_t new_size) {
    void *fresh;
    size_t old_capacity;
    if (ptr == NULL) return ups_malloc(ctx, new_size);
    old_capacity = ((ups_header *)((char *)ptr - UPS_HEADER))->capacity;
    fresh = ups_malloc(ctx, new_size);
    if (fresh == NULL) return NULL;
    memcpy(fresh, ptr, old_capacity < new_size ? old_capacity : new_size);
    ups_free(ctx, ptr, old_capacity);
    return fresh;
}

static PyDataMem_Handler ups_handler = {
    "upsample_output_cache", 1,
    {NULL, ups_malloc, ups_calloc, ups_realloc, ups_free}
};

static PyObject *ups_handler_capsule(void) {
    return PyCapsule_New(&ups_handler, "mem_handler", NULL);
}

/* Set the limit and evict down to it; returns the bytes released. */
static size_t ups_set_limit(size_t limit) {
    char *evicted[UPS_SLOTS];
    int n_evicted, i;
    size_t released = 0;
    UPS_LOCK();
    ups_cache_limit = limit;
    n_evicted = ups_evict_locked(0, 0, evicted);
    UPS_UNLOCK();
    for (i = 0; i < n_evicted; i++) {
        released += ((ups_header *)evicted[i])->capacity;
        ups_release(evicted[i]);
    }
    return released;
}

/* Release every cached block; returns the bytes released. */
static size_t ups_clear(void) {
    char *evicted[UPS_SLOTS];
    int n = 0, i;
    size_t released = 0;
    UPS_LOCK();
    for (i = 0; i < UPS_SLOTS; i++) {
        if (ups_cache[i].base) {
            evicted[n++] = ups_cache[i].base;
            released += ups_cache[i].capacity;
            ups_cache[i].base = NULL;
            ups_cache[i].capacity = 0;
        }
    }
    ups_cached_bytes = 0;
    UPS_UNLOCK();
    for (i = 0; i < n; i++) ups_release(evicted[i]);
    return released;
}

/* Hand the C library's free heap memory back to the system (glibc only;
   returns 1 if some was). Freed buffers below the allocator's mmap threshold
   otherwise stay in the process. */
static int ups_trim_heap(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

#if UPS_HAVE_POSIX
static void ups_lock_for_fork(void) { pthread_mutex_lock(&ups_lock); }
static void ups_unlock_after_fork(void) { pthread_mutex_unlock(&ups_lock); }
#endif

/* Install the fork handlers once; returns 0 or an errno value. */
static int ups_output_cache_install(void) {
#if UPS_HAVE_POSIX
    static int installed = 0;
    if (installed) return 0;
    installed = 1;
    return pthread_atfork(ups_lock_for_fork, ups_unlock_after_fork, ups_unlock_after_fork);
#else
    return 0;
#endif
}

#endif /* UPS_OUTPUT_CACHE_H */
