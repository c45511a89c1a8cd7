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
/// The `pthread_self()` of the process's main thread (the thread whose tid is the pid):
/// recorded when the program starts and, in a fork child, set to the thread that forked it.
/// 0 if unknown (this code was loaded later, by another thread).
unsigned long cshim_main_thread(void);
/// prctl(PR_SET_PDEATHSIG, sig). Returns 0 or -errno.
int cshim_set_pdeathsig(int sig);
/// prctl(PR_SET_NAME, name). Returns 0 or -errno.
int cshim_set_thread_name(const char *name);
/// Asks the CPU to fetch the cache line at `address` for writing (x86 `prefetchw`).
static inline void cshim_prefetch_for_writing(const void *address) {
#if defined(__x86_64__)
    __asm__ volatile("prefetchw (%0)" : : "r"(address));
#else
    __builtin_prefetch(address, 1, 3);
#endif
}
/// A CPU-relax hint for spin loops.
void cshim_cpu_relax(void);
/// pidfd_open(pid, 0). Returns the fd or -errno.
int cshim_pidfd_open(int pid);
/// pidfd_send_signal(pidfd, sig, NULL, 0). Returns 0 or -errno.
int cshim_pidfd_send_signal(int pidfd, int sig);
/// memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING). Returns the fd or -errno.
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
/// Sets the mode and, from it, the fast-path generation (below).
void cshim_set_lock_observation_mode(uint32_t mode);
/// The one word the inlined lock fast paths compare a primitive's recorded fork generation
/// with: the fork generation while the lock observation mode is 0, else
/// `CSHIM_FAST_PATH_CLOSED`, which no storage records (local storage records a fork count,
/// shared storage 0xFFFFFFFF). One load and one compare stand for both checks; kept in step
/// with the mode by `cshim_set_lock_observation_mode` and with the generation in every fork
/// child. Read like the mode (volatile): a stale read delays a change by an operation or two.
#define CSHIM_FAST_PATH_CLOSED 0xFFFFFFFEu
extern uint32_t cshim_fast_path_generation_value;
static inline uint32_t cshim_fast_path_generation(void) { return *(volatile uint32_t *)&cshim_fast_path_generation_value; }
/// The deadlock detector's record of the calling thread, unretained (a thread-local value owns
/// it and clears this slot at thread exit). A C thread-local is a single load, unlike
/// `pthread_getspecific` plus a Swift cast.
extern __thread void *cshim_lock_observer_thread_value __attribute__((tls_model("initial-exec")));
static inline void *cshim_lock_observer_thread(void) { return cshim_lock_observer_thread_value; }
static inline void cshim_set_lock_observer_thread(void *record) { cshim_lock_observer_thread_value = record; }
/// The calling thread's spin estimates (Sync/SpinEstimate.swift), zero in a new thread.
extern __thread uint64_t cshim_spin_estimates_value __attribute__((tls_model("initial-exec")));
static inline uint64_t cshim_spin_estimates(void) { return cshim_spin_estimates_value; }
static inline void cshim_set_spin_estimates(uint64_t estimates) { cshim_spin_estimates_value = estimates; }

// --- Processes: supervision, spawn, fork server ---------------------------------------

/// epoll_create1(EPOLL_CLOEXEC). Returns the fd or -errno.
int cshim_epoll_create(void);
/// epoll_ctl(EPOLL_CTL_ADD or EPOLL_CTL_DEL, fd) watching EPOLLIN with `data` as the tag.
/// Returns 0 or -errno. (The packed `struct epoll_event` stays on the C side.)
int cshim_epoll_add(int epfd, int fd, uint64_t data);
int cshim_epoll_remove(int epfd, int fd);
/// Changes the events watched for `fd`: readability always, writability when `writable`.
int cshim_epoll_modify(int epfd, int fd, uint64_t data, int writable);
/// epoll_wait: fills up to `max` tags. Returns the count or -errno.
int cshim_epoll_wait(int epfd, uint64_t *tags, int max, int timeout_ms);
/// eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK). Returns the fd or -errno.
int cshim_eventfd(void);
/// waitid(P_PIDFD, pidfd, WEXITED [| WNOHANG]): reaps a child through its pidfd.
/// Returns 1 and sets *exit_code (exit status, or -signal when killed), 0 when the child is
/// still running (nohang), or -errno.
int cshim_wait_pidfd(int pidfd, int nohang, int *exit_code);
/// Decodes a wait(2) status into an exit status or -signal; -1000 if neither.
int cshim_decode_wait_status(int status);
/// close_range(first, ~0U, 0). Returns 0 or -errno.
int cshim_close_from(int first);
/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34+). Returns 0 or an error number.
int cshim_spawn_add_close_from(void *file_actions, int first);
/// The most descriptors one message carries: the kernel's SCM_MAX_FD.
#define CSHIM_MAX_PASSED_FDS 253
/// sendmsg of `length` bytes plus up to CSHIM_MAX_PASSED_FDS descriptors (SCM_RIGHTS),
/// MSG_NOSIGNAL.
/// Returns the bytes sent or -errno.
long cshim_send_with_fds(int socket, const void *bytes, long length, const int *fds, int fd_count);
/// recvmsg of up to `capacity` bytes plus up to `fd_capacity` descriptors (made close-on-exec).
/// `*fd_count` receives the number of descriptors; a truncated message is an error (-EMSGSIZE).
/// Returns the bytes received (0 at end of stream) or -errno.
long cshim_receive_with_fds(int socket, void *bytes, long capacity, int *fds, int fd_capacity, int *fd_count, int dontwait);
/// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). Returns 0 or -errno.
int cshim_seqpacket_pair(int fds[2]);
/// The number of threads of this process, from /proc/self/stat; -1 if unreadable.
int cshim_thread_count(void);

/// The Swift function a re-executed child of Multitask enters before `main`
/// (`@_cdecl("multitask_child_main")` in the Multitask module). Called from a constructor of
/// this library when MULTITASK_CHILD is set; weak so that a program without it still loads.
extern void multitask_child_main(void) __attribute__((weak));
/// Discards what stdout and stderr hold in their buffers without writing it (__fpurge).
void cshim_purge_standard_streams(void);
/// Makes, in a parent about to fork, the libc calls that otherwise only its fork children
/// make (`__fpending`, `dup2(fd, fd)`, `sigaltstack` and `sigemptyset` as queries,
/// `pthread_getspecific(key)` of a live `pthread_key_t`: all without effect), so that their lazy PLT
/// binding happens once here instead of in every child: a child's first call of a symbol
/// searches the hash tables of every loaded library, a page fault each (~7 per symbol).
void cshim_bind_fork_child_calls(int fd, unsigned int key);
/// Does nothing with `pointer`; an opaque call, so that the caller must produce it (a Swift
/// type's metadata, instantiated ahead of time) and the optimizer cannot drop that.
void cshim_keep_pointer(const void *pointer);
/// exit_group(status) through `syscall`, which the parent has already bound (unlike `_exit`,
/// which only children call). The same as `_exit`: no exit handlers, no stdio flush.
__attribute__((noreturn)) void cshim_exit_group(int status);
/// Whether this shim (so Multitask) was loaded from a shared object rather than the executable.
int cshim_in_shared_object(void);

/// Routes Swift concurrency's global executor (and its delayed variants) to `enqueue`,
/// a C-convention function that receives the job and a delay in nanoseconds (0: now; for
/// deadlines, an absolute CLOCK_MONOTONIC time is converted to a delay). Used in fork children,
/// where the parent's Dispatch worker pool does not exist.
void cshim_install_global_executor(void (*enqueue)(void *job, uint64_t delay_ns));
/// Runs one job taken from `enqueue` on the generic executor (swift_job_run).
void cshim_run_job(void *job);

/// pthread_timedjoin_np (a GNU extension): joins `thread` unless CLOCK_REALTIME passes
/// `realtime_limit` first. Returns 0 or an error number (ETIMEDOUT).
int cshim_thread_timed_join(unsigned long thread, const struct timespec *realtime_limit);

/// Whether the kernel started this program in secure-execution mode (`getauxval(AT_SECURE)`):
/// set-user-ID, set-group-ID or file capabilities raised its privileges at exec.
int cshim_is_secure_execution(void);
/// The credentials the kernel recorded for the peer of the Unix socket `fd` (`SO_PEERCRED`),
/// with the socket's domain and type. Returns 0 or -errno (-ENOTSOCK for anything else).
int cshim_socket_peer(int fd, int *domain, int *type, int32_t *pid, uint32_t *uid, uint32_t *gid);

/// If SIGCHLD is ignored (SIG_IGN, which exec keeps) or its handler has SA_NOCLDWAIT, the
/// kernel discards children's exit statuses. Restores the default disposition (or clears the
/// flag, keeping the handler); returns 1 if it changed something, 0 if not, -errno on failure.
int cshim_restore_child_exit_statuses(void);

#define CSHIM_CRASH_MESSAGE_CAPACITY 1012
#define CSHIM_CRASH_FRAME_CAPACITY 16
#define CSHIM_CRASH_MODULE_CAPACITY 4
#define CSHIM_CRASH_MODULE_PATH_CAPACITY 256

/// A return address of a crashed thread, as an offset into one of the record's modules.
typedef struct {
    uint64_t offset;
    int32_t module;
    uint32_t reserved;
} cshim_crash_frame;

/// Where a crashing child writes what it knows, in memory its parent can read: the signal and
/// the Swift runtime's fatal error message (`state` 1), then the crashed thread's innermost
/// frames, each an offset into a loaded file named in `modules` (`state` 2).
typedef struct {
    uint32_t state;
    int32_t signal;
    uint32_t message_length;
    char message[CSHIM_CRASH_MESSAGE_CAPACITY];
    uint32_t frame_count;
    uint32_t module_count;
    cshim_crash_frame frames[CSHIM_CRASH_FRAME_CAPACITY];
    char modules[CSHIM_CRASH_MODULE_CAPACITY][CSHIM_CRASH_MODULE_PATH_CAPACITY];
    /// `CSHIM_EXIT_RECORDED` once the child, about to leave normally, stored `exit_status`.
    uint32_t exit_state;
    int32_t exit_status;
} cshim_crash_record;

/// The `exit_state` of a record whose child stored its exit status.
#define CSHIM_EXIT_RECORDED 0x45584954u

/// Loads what taking a backtrace needs (glibc loads the unwinder on first use), so that a
/// crash handler does not: call in a process before it forks children, or before it installs
/// the handler. Cheap after the first call.
void cshim_prepare_crash_backtrace(void);
/// What `path` is in this process, as the dynamic loader names its files: 2 for the name this
/// executable is loaded under (as started, `argv[0]`), 1 for a loaded shared library, 0 for
/// neither.
int cshim_loaded_file_kind(const char *path);
/// In a child process: catches the fatal signals (SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
/// SIGSEGV) on an alternate stack, fills `record` (signal, and the Swift runtime's fatal error
/// message if there is one, then the innermost frames; an alarm ends a handler stuck taking
/// them), then dies of the same signal with its default action. Replaces
/// Swift's backtracer, unless MULTITASK_SWIFT_BACKTRACE is set (then nothing is installed).
/// Call once, early, on the child's only thread.
void cshim_child_install_crash_handler(cshim_crash_record *record);
/// In a child, just before it leaves with `_exit(status)`: stores `status` in the record given
/// to `cshim_child_install_crash_handler` (if any), so that a parent that sees the process end
/// (its pidfd) knows the status without waiting for the process that reaps it.
void cshim_child_record_exit(int32_t status);
/// In the parent: 1 and the status `cshim_child_record_exit` stored, read in that order
/// (acquire), or 0 if none is stored yet. Safe while the child runs.
int cshim_child_recorded_exit(const cshim_crash_record *record, int32_t *status);

/// Forks on a thread that has only ever run C code, created on first use and kept for the
/// life of the process, while the calling thread waits in C. The child's only thread is then
/// a copy of a thread with no state of the Swift runtime (which caches each thread's id for
/// its locks: a copy of a thread that ran Swift carries its parent's id and can livelock the
/// child once it starts threads). In the child, `child(context)` runs on that copy and must
/// not return. Returns the child's pid, or -errno.
int cshim_fork_on_clean_thread(void (*child)(void *context), void *context);

/// Makes the calling thread one of the library's own threads, which are quiet at every fork
/// `cshim_fork_on_clean_thread` makes: such a thread runs only between waits (futex, epoll,
/// waitid done through this shim), and a fork happens while it is blocked in one. Call at the
/// start of the thread's loop, and `cshim_fork_gate_leave` before it ends or runs code that
/// may block outside this shim's waits (user code).
void cshim_fork_gate_join(void);
void cshim_fork_gate_leave(void);
/// Whether the calling thread has joined the fork gate.
int cshim_fork_gate_is_joined(void);
/// How many threads of this process have joined the fork gate.
int cshim_fork_gate_thread_count(void);
/// How many forks went ahead without every library thread quiet (one was busy past the
/// fork's wait for it, 200 ms).
extern uint32_t cshim_unquiet_fork_count_value;
static inline uint32_t cshim_unquiet_fork_count(void) { return __atomic_load_n(&cshim_unquiet_fork_count_value, __ATOMIC_RELAXED); }

/// The library's fork-child resets: `run(context)` is called in every fork child (by the one
/// atfork child handler, after the fork gate and generation are reset), in registration
/// order, on the child's only thread. At most CSHIM_AFTER_FORK_CAPACITY registrations, for
/// the life of the process; returns 0, or -1 when full. Never allocates.
#define CSHIM_AFTER_FORK_CAPACITY 64
int cshim_after_fork_register(void (*run)(void *context), void *context);

#endif
