#define _GNU_SOURCE
#include "cshim.h"
#include "fork_gate.h"
#include <pthread.h>
#include <time.h>

// The library's own threads (the process supervisor, pool dispatchers) hold the gate shared
// whenever they run, and let go of it only while blocked in the kernel (futex or epoll wait):
// there they hold no lock of the Swift runtime or the allocator. A fork takes the gate
// exclusively, so it happens while every such thread is blocked in a wait, and none can leave
// its wait until the fork is done. Writers are preferred: a thread that wakes while a fork
// waits for the gate stops at once instead of starving the fork.
static pthread_rwlock_t gate = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static __thread int held_by_this_thread;
static int joined_threads;

int cshim_fork_gate_thread_count(void) { return __atomic_load_n(&joined_threads, __ATOMIC_RELAXED); }

void cshim_fork_gate_join(void) {
    if (held_by_this_thread) return;
    pthread_rwlock_rdlock(&gate);
    held_by_this_thread = 1;
    __atomic_add_fetch(&joined_threads, 1, __ATOMIC_RELAXED);
}

void cshim_fork_gate_leave(void) {
    if (!held_by_this_thread) return;
    held_by_this_thread = 0;
    __atomic_sub_fetch(&joined_threads, 1, __ATOMIC_RELAXED);
    pthread_rwlock_unlock(&gate);
}

int cshim_fork_gate_is_joined(void) { return held_by_this_thread; }

int fork_gate_pause(void) {
    if (!held_by_this_thread) return 0;
    pthread_rwlock_unlock(&gate);
    return 1;
}

void fork_gate_resume(int paused) {
    if (paused) pthread_rwlock_rdlock(&gate);
}

int fork_gate_close(long timeout_ns) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ns / 1000000000L;
    deadline.tv_nsec += timeout_ns % 1000000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec += 1;
        deadline.tv_nsec -= 1000000000L;
    }
    return pthread_rwlock_clockwrlock(&gate, CLOCK_MONOTONIC, &deadline) == 0;
}

void fork_gate_open(void) { pthread_rwlock_unlock(&gate); }

void fork_gate_reset_in_child(void) {
    pthread_rwlock_t fresh = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
    gate = fresh;
    held_by_this_thread = 0;
    joined_threads = 0;
}
