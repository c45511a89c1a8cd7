#define _GNU_SOURCE
#include "cshim.h"
#include "fork_gate.h"
#include "after_fork.h"
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>

int cshim_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline, int private_flag) {
    int op = FUTEX_WAIT_BITSET | (private_flag ? FUTEX_PRIVATE_FLAG : 0);
    int paused = fork_gate_pause();
    long rc = syscall(SYS_futex, word, op, expected, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    int error = errno;
    fork_gate_resume(paused);
    return rc == -1 ? -error : 0;
}

int cshim_futex_wake(uint32_t *word, int count, int private_flag) {
    int op = FUTEX_WAKE | (private_flag ? FUTEX_PRIVATE_FLAG : 0);
    long rc = syscall(SYS_futex, word, op, count, NULL, NULL, 0);
    return rc == -1 ? -errno : (int)rc;
}

static __thread int32_t cached_tid;
static unsigned long main_thread;
uint32_t cshim_fork_generation_value;
uint32_t cshim_unquiet_fork_count_value;
uint32_t cshim_lock_observation_mode_value = CSHIM_LOCK_OBSERVATION_UNRESOLVED;
uint32_t cshim_fast_path_generation_value = CSHIM_FAST_PATH_CLOSED;

// The fast-path generation that `mode` and the current fork generation call for.
static uint32_t fast_path_generation_for(uint32_t mode) {
    return mode == 0 ? cshim_fork_generation() : CSHIM_FAST_PATH_CLOSED;
}
// Each setter publishes a value computed from a mode it read after its own store, and tries
// again if the mode changed before its exchange landed: whichever exchange lands last was
// computed from the last mode, so two threads setting modes at once cannot leave the fast
// paths open with the detector on.
void cshim_set_lock_observation_mode(uint32_t mode) {
    __atomic_store_n(&cshim_lock_observation_mode_value, mode, __ATOMIC_SEQ_CST);
    for (;;) {
        uint32_t seen = __atomic_load_n(&cshim_fast_path_generation_value, __ATOMIC_SEQ_CST);
        uint32_t read_mode = __atomic_load_n(&cshim_lock_observation_mode_value, __ATOMIC_SEQ_CST);
        uint32_t wanted = fast_path_generation_for(read_mode);
        if (__atomic_compare_exchange_n(&cshim_fast_path_generation_value, &seen, wanted, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)
            && __atomic_load_n(&cshim_lock_observation_mode_value, __ATOMIC_SEQ_CST) == read_mode) {
            return;
        }
    }
}
__thread void *cshim_lock_observer_thread_value;
__thread uint64_t cshim_spin_estimates_value;

// Runs in the child, on the only thread there: its cached tid belongs to the parent, and it
// is the child's main thread (its tid is the child's pid). Then the library's own resets.
static void reset_in_fork_child(void) {
    cached_tid = 0;
    fork_gate_reset_in_child();
    main_thread = (unsigned long)pthread_self();
    __atomic_add_fetch(&cshim_fork_generation_value, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&cshim_fast_path_generation_value, fast_path_generation_for(cshim_lock_observation_mode_value), __ATOMIC_RELAXED);
    after_fork_run_resets();
}
// Constructors run on the main thread when the program starts; a library loaded later by
// another thread leaves the main thread unknown (0). Before the other constructors (priority
// 101), so that a re-executed child diverted from one (below) knows its main thread.
__attribute__((constructor(101))) static void install_atfork(void) {
    if (syscall(SYS_gettid) == getpid()) main_thread = (unsigned long)pthread_self();
    pthread_atfork(NULL, NULL, reset_in_fork_child);
}
unsigned long cshim_main_thread(void) { return main_thread; }

int32_t cshim_gettid(void) {
    int32_t tid = cached_tid;
    if (__builtin_expect(tid == 0, 0)) {
        tid = (int32_t)syscall(SYS_gettid);
        cached_tid = tid;
    }
    return tid;
}

int cshim_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig) == -1 ? -errno : 0; }
int cshim_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name) == -1 ? -errno : 0; }
void cshim_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
int cshim_pidfd_open(int pid) {
    long rc = syscall(SYS_pidfd_open, pid, 0);
    return rc == -1 ? -errno : (int)rc;
}
int cshim_pidfd_send_signal(int pidfd, int sig) {
    long rc = syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
    return rc == -1 ? -errno : 0;
}
int cshim_memfd_create(const char *name) {
    int rc = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return rc == -1 ? -errno : rc;
}
int cshim_pipe2_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == -1 ? -errno : 0; }
int cshim_set_child_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, on) == -1 ? -errno : 0; }
extern char **environ;
char **cshim_environ(void) { return environ; }
int cshim_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return (int)sysconf(_SC_NPROCESSORS_ONLN);
    return CPU_COUNT(&set);
}
