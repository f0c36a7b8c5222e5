/* Fork safety for the kernels' OpenMP thread teams (used by _threads.pyx).
 *
 * GNU OpenMP keeps, for every thread that starts parallel regions, a pool of
 * worker threads that it reuses from one region to the next. fork() copies
 * only the thread that calls it, so a child that starts a region from that
 * thread hands work to workers that do not exist and waits for them forever.
 *
 * The rule applied here:
 *  - Before every fork (a pthread_atfork handler, run in the forking thread),
 *    that thread's pool is handed back with omp_pause_resource_all (OpenMP
 *    5.0: libgomp since GCC 9, LLVM's libomp since 8): its workers are joined,
 *    and the child's first threaded call starts a fresh team. Any other thread
 *    of the child starts its own pool, as a new thread always does.
 *  - Each thread records the process in which it last ran a team of several
 *    threads. A thread whose team belongs to another process (its pool came
 *    through a fork that could not release it: a runtime without pause, or a
 *    fork that bypassed the handlers) runs every call on one thread, which
 *    enters no parallel region and never touches the pool.
 *
 * The runtime's pause function is looked up in the runtime this module is
 * bound to (the one holding omp_get_max_threads), so that a process holding
 * two copies of the runtime (a vendored one beside PyTorch's) pauses the copy
 * the kernels use.
 */
#ifndef UPS_FORK_GUARD_H
#define UPS_FORK_GUARD_H

#if UPSAMPLE_OPENMP && defined(__unix__)
#define UPS_FORK_GUARD 1
#include <dlfcn.h>
#include <omp.h>
#include <pthread.h>
#include <stddef.h>
#include <unistd.h>
#else
#define UPS_FORK_GUARD 0
#endif

#if UPS_FORK_GUARD

typedef int (*ups_pause_fn)(int kind);

/* omp_pause_resource_all of the runtime in use; NULL if it has none. */
static ups_pause_fn ups_pause_all = NULL;
/* Where that runtime was loaded from ("" if unknown). */
static const char *ups_runtime_path = "";
/* The process that installed the handlers (the first to import upsample). */
static pid_t ups_import_pid = 0;
/* The process in which this thread last ran a team of several threads; 0 if
   it never did, or if its pool was handed back before a fork. */
static __thread pid_t ups_team_pid = 0;

static void ups_before_fork(void) {
    /* omp_pause_soft is 1 in every runtime; libgomp frees the pool for either
       kind. A thread inside a parallel region cannot pause (the call fails):
       its team then stays recorded and the child keeps it on one thread. */
    if (ups_pause_all != NULL && ups_pause_all(1) == 0) ups_team_pid = 0;
}

/* Install the fork handler once; returns 0 or an errno value. */
static int ups_fork_guard_install(void) {
    Dl_info info;
    void *runtime = NULL;
    if (ups_import_pid != 0) return 0;
    ups_import_pid = getpid();
    if (dladdr((void *)&omp_get_max_threads, &info) != 0 && info.dli_fname != NULL) {
        ups_runtime_path = info.dli_fname;
        runtime = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
    }
    if (runtime != NULL) {
        ups_pause_all = (ups_pause_fn)dlsym(runtime, "omp_pause_resource_all");
    }
    return pthread_atfork(ups_before_fork, NULL, NULL);
}

/* May the calling thread run a team of several threads now? Records the
   answer's process for the next fork. */
static int ups_threads_allowed(void) {
    pid_t now = getpid();
    if (ups_team_pid != 0 && ups_team_pid != now) return 0;
    ups_team_pid = now;
    return 1;
}

/* The same question, without recording anything (for diagnostics). */
static int ups_threads_usable(void) {
    return ups_team_pid == 0 || ups_team_pid == getpid();
}

static int ups_is_forked_child(void) { return ups_import_pid != 0 && getpid() != ups_import_pid; }
static int ups_fork_pause_available(void) { return ups_pause_all != NULL; }

#else  /* no OpenMP: every call runs on one thread, and a fork changes nothing */

#if defined(__unix__)
#include <unistd.h>
static pid_t ups_import_pid = 0;
static int ups_is_forked_child(void) { return ups_import_pid != 0 && getpid() != ups_import_pid; }
static int ups_fork_guard_install(void) {
    if (ups_import_pid == 0) ups_import_pid = getpid();
    return 0;
}
#else
static int ups_is_forked_child(void) { return 0; }
static int ups_fork_guard_install(void) { return 0; }
#endif
static const char *ups_runtime_path = "";
static int ups_threads_allowed(void) { return 1; }
static int ups_threads_usable(void) { return 1; }
static int ups_fork_pause_available(void) { return 0; }

#endif
#endif /* UPS_FORK_GUARD_H */
