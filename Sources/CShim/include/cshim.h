// Fixed-arity wrappers for the Linux calls Swift cannot reach: variadic `syscall`,
// `prctl` (not exported by the Glibc module) and the thread id. No logic lives here.
#ifndef MULTITASK_CSHIM_H
#define MULTITASK_CSHIM_H

#include <stdint.h>
#include <time.h>

/// FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline (NULL: forever).
/// Returns 0 or -errno.
int cshim_futex_wait(uint32_t *word, uint32_t expected, const struct timespec *deadline, int private_flag);
/// FUTEX_WAKE. Returns the number woken or -errno.
int cshim_futex_wake(uint32_t *word, int count, int private_flag);
/// The kernel thread id of the caller, cached per thread and reset in fork children.
int32_t cshim_gettid(void);
/// prctl(PR_SET_PDEATHSIG, sig). Returns 0 or -errno.
int cshim_set_pdeathsig(int sig);
/// prctl(PR_SET_NAME, name). Returns 0 or -errno.
int cshim_set_thread_name(const char *name);
/// A CPU-relax hint for spin loops.
void cshim_cpu_relax(void);
/// pidfd_open(pid, 0). Returns the fd or -errno.
int cshim_pidfd_open(int pid);
/// pidfd_send_signal(pidfd, sig, NULL, 0). Returns 0 or -errno.
int cshim_pidfd_send_signal(int pidfd, int sig);
/// memfd_create(name, MFD_CLOEXEC). Returns the fd or -errno.
int cshim_memfd_create(const char *name);
/// pipe2(fds, O_CLOEXEC). Returns 0 or -errno.
int cshim_pipe2_cloexec(int fds[2]);
/// prctl(PR_SET_CHILD_SUBREAPER, on). Returns 0 or -errno.
int cshim_set_child_subreaper(int on);
/// The process environment (the C global `environ`).
char **cshim_environ(void);
/// Incremented in every fork child (an atfork handler installed at load time), so a
/// process-local primitive can tell that it was copied into another process.
extern uint32_t cshim_fork_generation_value;
static inline uint32_t cshim_fork_generation(void) { return __atomic_load_n(&cshim_fork_generation_value, __ATOMIC_RELAXED); }
/// Number of CPUs this process may run on (sched_getaffinity).
int cshim_cpu_count(void);
/// Whether locks report to the deadlock detector: 0 = off, anything else = on. Starts at
/// `CSHIM_LOCK_OBSERVATION_UNRESOLVED` so the first acquire resolves it (environment). Read on
/// every lock acquire and release, hence a plain global read with a volatile load (Linux's
/// READ_ONCE): it compiles to one compare with memory, where an atomic load takes two
/// instructions. A stale read only delays a mode change by an operation or two.
#define CSHIM_LOCK_OBSERVATION_UNRESOLVED 0xFFFFFFFFu
extern uint32_t cshim_lock_observation_mode_value;
static inline uint32_t cshim_lock_observation_mode(void) { return *(volatile uint32_t *)&cshim_lock_observation_mode_value; }
static inline void cshim_set_lock_observation_mode(uint32_t mode) { __atomic_store_n(&cshim_lock_observation_mode_value, mode, __ATOMIC_RELAXED); }
/// The deadlock detector's record of the calling thread, unretained (a thread-local value owns
/// it and clears this slot at thread exit). A C thread-local is a single load, unlike
/// `pthread_getspecific` plus a Swift cast.
extern __thread void *cshim_lock_observer_thread_value __attribute__((tls_model("initial-exec")));
static inline void *cshim_lock_observer_thread(void) { return cshim_lock_observer_thread_value; }
static inline void cshim_set_lock_observer_thread(void *record) { cshim_lock_observer_thread_value = record; }

#endif
