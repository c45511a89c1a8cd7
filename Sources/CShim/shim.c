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
__thread void *cshim_lock_observer_thread_value;
__thread uint64_t cshim_spin_estimates_value;

// Runs in the child, on the only thread there: its cached tid belongs to the parent, and it
// is the child's main thread (its tid is the child's pid). Then the library's own resets.
static void reset_in_fork_child(void) {
    cached_tid = 0;
    fork_gate_reset_in_child();
    main_thread = (unsigned long)pthread_self();
    __atomic_add_fetch(&cshim_fork_generation_value, 1, __ATOMIC_RELAXED);
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

// --- Processes -------------------------------------------------------------------------
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

int cshim_epoll_create(void) {
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd == -1 ? -errno : fd;
}
int cshim_epoll_add(int epfd, int fd, uint64_t data) {
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = data };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1 ? -errno : 0;
}
int cshim_epoll_modify(int epfd, int fd, uint64_t data, int writable) {
    struct epoll_event ev = { .events = EPOLLIN | (writable ? EPOLLOUT : 0), .data.u64 = data };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) == -1 ? -errno : 0;
}
int cshim_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) == -1 ? -errno : 0;
}
int cshim_epoll_wait(int epfd, uint64_t *tags, int max, int timeout_ms) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int paused = timeout_ms != 0 ? fork_gate_pause() : 0;
    int n = epoll_wait(epfd, events, max, timeout_ms);
    int error = errno;
    fork_gate_resume(paused);
    if (n == -1) return -error;
    for (int i = 0; i < n; i++) tags[i] = events[i].data.u64;
    return n;
}
int cshim_eventfd(void) {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    return fd == -1 ? -errno : fd;
}
int cshim_decode_wait_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return -WTERMSIG(status);
    return -1000;
}
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
int cshim_wait_pidfd(int pidfd, int nohang, int *exit_code) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int paused = nohang ? 0 : fork_gate_pause();
    int rc = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | (nohang ? WNOHANG : 0));
    int error = errno;
    fork_gate_resume(paused);
    if (rc == -1) return -error;
    if (info.si_pid == 0) return 0;
    *exit_code = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
    return 1;
}
int cshim_close_from(int first) {
    long rc = syscall(SYS_close_range, (unsigned)first, ~0U, 0);
    return rc == -1 ? -errno : 0;
}
int cshim_spawn_add_close_from(void *file_actions, int first) {
    return posix_spawn_file_actions_addclosefrom_np((posix_spawn_file_actions_t *)file_actions, first);
}
long cshim_send_with_fds(int socket, const void *bytes, long length, const int *fds, int fd_count) {
    struct iovec iov = { .iov_base = (void *)bytes, .iov_len = (size_t)length };
    union { char buf[CMSG_SPACE(CSHIM_MAX_PASSED_FDS * sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (fd_count > CSHIM_MAX_PASSED_FDS) return -EINVAL;
    if (fd_count > 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(fd_count * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(fd_count * sizeof(int));
        memcpy(CMSG_DATA(c), fds, fd_count * sizeof(int));
    }
    ssize_t n;
    do { n = sendmsg(socket, &msg, MSG_NOSIGNAL); } while (n == -1 && errno == EINTR);
    return n == -1 ? -errno : (long)n;
}
long cshim_receive_with_fds(int socket, void *bytes, long capacity, int *fds, int fd_capacity, int *fd_count, int dontwait) {
    struct iovec iov = { .iov_base = bytes, .iov_len = (size_t)capacity };
    union { char buf[CMSG_SPACE(CSHIM_MAX_PASSED_FDS * sizeof(int))]; struct cmsghdr align; } control;
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    *fd_count = 0;
    ssize_t n;
    do { n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC | (dontwait ? MSG_DONTWAIT : 0)); } while (n == -1 && errno == EINTR);
    if (n == -1) return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(c);
        for (int i = 0; i < count; i++) {
            if (*fd_count < fd_capacity) fds[(*fd_count)++] = received[i];
            else close(received[i]);
        }
    }
    if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        for (int i = 0; i < *fd_count; i++) close(fds[i]);
        *fd_count = 0;
        return -EMSGSIZE;
    }
    return (long)n;
}
int cshim_seqpacket_pair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == -1 ? -errno : 0;
}
int cshim_thread_count(void) {
    // Field 20 of /proc/self/stat; the command name (field 2) may contain spaces, so parse
    // from the last ')'.
    char buf[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) return -1;
    int field = 2;
    for (; *p && field < 20; p++) if (*p == ' ') field++;
    return atoi(p);
}

#include <dlfcn.h>
#include <stdio_ext.h>
void cshim_bind_fork_child_calls(int fd) {
    (void)__fpending(stdout);
    if (fd >= 0) (void)dup2(fd, fd);
}
void cshim_exit_group(int status) {
    for (;;) syscall(SYS_exit_group, status);
}
void cshim_purge_standard_streams(void) {
    // Only write to the FILE objects when they hold something: a write would copy their page.
    if (__fpending(stdout) > 0) __fpurge(stdout);
    if (__fpending(stderr) > 0) __fpurge(stderr);
}
int cshim_in_shared_object(void) {
    Dl_info info;
    if (dladdr((void *)cshim_in_shared_object, &info) == 0 || info.dli_fname == NULL) return 0;
    return strstr(info.dli_fname, ".so") != NULL;
}

// A re-executed child (spawn or fork server) is diverted before `main`, so it works even when
// `main` belongs to someone else (the test runner) or forgets Multitask.bootstrap().
// Constructors of the executable run after the Swift runtime has registered its metadata
// (swiftrt.o is linked first), so entry types resolve from here.
__attribute__((constructor)) static void divert_multitask_child(void) {
    if (multitask_child_main != NULL && getenv("MULTITASK_CHILD") != NULL) multitask_child_main();
}

// Swift concurrency's executor hooks (see swift/Runtime/Concurrency.h). The runtime calls them
// with the Swift calling convention.
typedef struct { void *identity; uintptr_t implementation; } cshim_serial_executor_ref;
typedef void (*cshim_enqueue_fn)(void *job, uint64_t delay_ns);
extern void *swift_task_enqueueGlobal_hook;
extern void *swift_task_enqueueGlobalWithDelay_hook;
extern void *swift_task_enqueueGlobalWithDeadline_hook;
extern __attribute__((swiftcall)) void swift_job_run(void *job, cshim_serial_executor_ref executor);
extern __attribute__((swiftcall)) void swift_get_time(long long *seconds, long long *nanoseconds, int clock);
static cshim_enqueue_fn executor_enqueue;

__attribute__((swiftcall)) static void hook_enqueue(void *job, void *original) {
    (void)original;
    executor_enqueue(job, 0);
}
__attribute__((swiftcall)) static void hook_enqueue_delay(unsigned long long delay, void *job, void *original) {
    (void)original;
    executor_enqueue(job, delay);
}
__attribute__((swiftcall)) static void hook_enqueue_deadline(long long sec, long long nsec, long long tsec, long long tnsec, int clock, void *job, void *original) {
    (void)tsec; (void)tnsec; (void)original;
    long long now_s = 0, now_ns = 0;
    swift_get_time(&now_s, &now_ns, clock);
    long long delta = (sec - now_s) * 1000000000LL + (nsec - now_ns);
    executor_enqueue(job, delta > 0 ? (uint64_t)delta : 0);
}
void cshim_install_global_executor(void (*enqueue)(void *job, uint64_t delay_ns)) {
    executor_enqueue = enqueue;
    swift_task_enqueueGlobal_hook = (void *)hook_enqueue;
    swift_task_enqueueGlobalWithDelay_hook = (void *)hook_enqueue_delay;
    swift_task_enqueueGlobalWithDeadline_hook = (void *)hook_enqueue_deadline;
}
void cshim_run_job(void *job) {
    cshim_serial_executor_ref generic = { NULL, 0 };
    swift_job_run(job, generic);
}
int cshim_thread_timed_join(unsigned long thread, const struct timespec *realtime_limit) {
    return pthread_timedjoin_np((pthread_t)thread, NULL, realtime_limit);
}

#include <sys/auxv.h>
int cshim_is_secure_execution(void) { return getauxval(AT_SECURE) != 0; }
int cshim_socket_peer(int fd, int *domain, int *type, int32_t *pid, uint32_t *uid, uint32_t *gid) {
    socklen_t length = sizeof *domain;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, domain, &length) != 0) return -errno;
    length = sizeof *type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, type, &length) != 0) return -errno;
    struct ucred credentials;
    length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -errno;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}
int cshim_restore_child_exit_statuses(void) {
    struct sigaction current;
    if (sigaction(SIGCHLD, NULL, &current) != 0) return -errno;
    if (current.sa_handler == SIG_IGN) {
        current.sa_handler = SIG_DFL;
        current.sa_flags &= ~SA_NOCLDWAIT;
    } else if (current.sa_flags & SA_NOCLDWAIT) {
        current.sa_flags &= ~SA_NOCLDWAIT;
    } else {
        return 0;
    }
    return sigaction(SIGCHLD, &current, NULL) == 0 ? 1 : -errno;
}

// --- Crash records ----------------------------------------------------------------------
#include <stdatomic.h>
/// The Swift runtime keeps the message of the last fatal error here (exported since 5.9);
/// weak, so that a runtime without it leaves the message out.
extern _Atomic(const char *) *swift_getFatalErrorMessageBuffer(void) __attribute__((weak));
static cshim_crash_record *crash_record;
static const int crash_signals[] = { SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV };

#include <dlfcn.h>
#include <execinfo.h>
#include <ucontext.h>

void cshim_prepare_crash_backtrace(void) {
    static int prepared;
    if (__atomic_load_n(&prepared, __ATOMIC_ACQUIRE)) return;
    void *frame;
    backtrace(&frame, 1);
    __atomic_store_n(&prepared, 1, __ATOMIC_RELEASE);
}

#include <link.h>
#include <sys/auxv.h>
static int library_named(struct dl_phdr_info *info, size_t size, void *path) {
    (void)size;
    return info->dlpi_name != NULL && info->dlpi_name[0] != '\0' && strcmp(info->dlpi_name, path) == 0;
}

int cshim_loaded_file_kind(const char *path) {
    Dl_info info;
    void *entry = (void *)getauxval(AT_ENTRY);
    if (entry != NULL && dladdr(entry, &info) != 0 && info.dli_fname != NULL && strcmp(info.dli_fname, path) == 0) return 2;
    return dl_iterate_phdr(library_named, (void *)path) ? 1 : 0;
}

static int32_t crash_module_index(cshim_crash_record *record, const char *path) {
    for (uint32_t i = 0; i < record->module_count; i++) {
        if (strncmp(record->modules[i], path, CSHIM_CRASH_MODULE_PATH_CAPACITY - 1) == 0) return (int32_t)i;
    }
    if (record->module_count == CSHIM_CRASH_MODULE_CAPACITY) return -1;
    uint32_t index = record->module_count++;
    strncpy(record->modules[index], path, CSHIM_CRASH_MODULE_PATH_CAPACITY - 1);
    record->modules[index][CSHIM_CRASH_MODULE_PATH_CAPACITY - 1] = '\0';
    return (int32_t)index;
}

// The unwinder and dladdr take the dynamic loader's lock: a crash inside the loader would block
// here, so an alarm ends the process if this takes long (the record already says what crashed).
static void record_frames(cshim_crash_record *record, void *context) {
    alarm(2);
    void *addresses[CSHIM_CRASH_FRAME_CAPACITY + 8];
    int count = backtrace(addresses, (int)(sizeof addresses / sizeof addresses[0]));
    // Skip this handler and the signal trampoline: start at the interrupted instruction.
    void *interrupted = context ? (void *)((ucontext_t *)context)->uc_mcontext.gregs[REG_RIP] : NULL;
    int first = 0;
    while (first < count && addresses[first] != interrupted) first++;
    if (first == count) first = count > 2 ? 2 : 0;
    uint32_t stored = 0;
    for (int i = first; i < count && stored < CSHIM_CRASH_FRAME_CAPACITY; i++) {
        Dl_info info;
        int32_t module = -1;
        uint64_t offset = (uint64_t)(uintptr_t)addresses[i];
        // A return address points after its call: look up the call itself.
        void *lookup = i == first ? addresses[i] : (void *)((char *)addresses[i] - 1);
        if (dladdr(lookup, &info) != 0 && info.dli_fname != NULL && info.dli_fbase != NULL) {
            module = crash_module_index(record, info.dli_fname);
            offset = (uint64_t)((char *)lookup - (char *)info.dli_fbase);
        }
        record->frames[stored].offset = offset;
        record->frames[stored].module = module;
        stored++;
    }
    record->frame_count = stored;
    __atomic_store_n(&record->state, 2, __ATOMIC_RELEASE);
}

static void record_crash(int sig, siginfo_t *info, void *context) {
    (void)info; (void)context;
    cshim_crash_record *record = crash_record;
    if (record != NULL && __atomic_load_n(&record->state, __ATOMIC_RELAXED) == 0) {
        record->signal = sig;
        uint32_t length = 0;
        const char *message = swift_getFatalErrorMessageBuffer ? atomic_load(swift_getFatalErrorMessageBuffer()) : NULL;
        if (message != NULL) {
            while (length < CSHIM_CRASH_MESSAGE_CAPACITY && message[length] != '\0') {
                record->message[length] = message[length];
                length++;
            }
        }
        record->message_length = length;
        __atomic_store_n(&record->state, 1, __ATOMIC_RELEASE);
        record_frames(record, context);
    }
    // SA_RESETHAND restored the default action: die of the same signal.
    raise(sig);
}

void cshim_child_install_crash_handler(cshim_crash_record *record) {
    // Set even without the handler: the exit status is recorded there too.
    crash_record = record;
    const char *keep = getenv("MULTITASK_SWIFT_BACKTRACE");
    if (keep != NULL && keep[0] != '\0' && strcmp(keep, "0") != 0) return;
    static char alternate_stack[64 * 1024];
    stack_t stack = { .ss_sp = alternate_stack, .ss_flags = 0, .ss_size = sizeof alternate_stack };
    sigaltstack(&stack, NULL);
    cshim_prepare_crash_backtrace();
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = record_crash;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    for (unsigned i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++) sigaction(crash_signals[i], &action, NULL);
}

void cshim_child_record_exit(int32_t status) {
    cshim_crash_record *record = crash_record;
    if (record == NULL) return;
    record->exit_status = status;
    __atomic_store_n(&record->exit_state, CSHIM_EXIT_RECORDED, __ATOMIC_RELEASE);
}

// --- Forking from a clean thread ------------------------------------------------------------
typedef struct {
    void (*child)(void *);
    void *context;
    int result;
    int done;
} clean_fork_request;

static pthread_mutex_t clean_fork_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t clean_fork_changed = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t fork_turn = PTHREAD_MUTEX_INITIALIZER;
static clean_fork_request *clean_fork_pending;
static int clean_forker_running;

static void *clean_forker_main(void *unused) {
    (void)unused;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    pthread_mutex_lock(&clean_fork_lock);
    for (;;) {
        while (clean_fork_pending == NULL || clean_fork_pending->done) pthread_cond_wait(&clean_fork_changed, &clean_fork_lock);
        clean_fork_request *request = clean_fork_pending;
        pthread_mutex_unlock(&clean_fork_lock);
        pid_t pid = fork();
        if (pid == 0) {
            // The only thread here; the forker of the parent does not exist in this process.
            pthread_mutex_t fresh_lock = PTHREAD_MUTEX_INITIALIZER;
            pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
            clean_fork_lock = fresh_lock;
            fork_turn = fresh_lock;
            clean_fork_changed = fresh_cond;
            clean_fork_pending = NULL;
            clean_forker_running = 0;
            request->child(request->context);
            _exit(127);
        }
        int error = errno;
        pthread_mutex_lock(&clean_fork_lock);
        request->result = pid < 0 ? -error : pid;
        request->done = 1;
        // Woken after the unlock: the requester then finds the lock free instead of waking
        // only to block on it (glibc's condition variables do not hand the lock over).
        pthread_mutex_unlock(&clean_fork_lock);
        pthread_cond_broadcast(&clean_fork_changed);
        pthread_mutex_lock(&clean_fork_lock);
    }
    return NULL;
}

// How long a fork waits for the library's own threads to reach a wait. They run short steps
// between waits (microseconds); a thread stuck elsewhere delays forks by this much, and the fork
// then goes ahead as it would without the gate.
static const long quiet_fork_timeout_ns = 200L * 1000 * 1000;

int cshim_fork_on_clean_thread(void (*child)(void *context), void *context) {
    clean_fork_request request = { child, context, 0, 0 };
    // A library thread asking for a fork is quiet itself while it waits here, in C. One fork
    // at a time closes the gate, so that a queue of forks never waits out the timeout.
    int paused = fork_gate_pause();
    pthread_mutex_lock(&fork_turn);
    int closed = fork_gate_close(quiet_fork_timeout_ns);
    if (!closed) __atomic_add_fetch(&cshim_unquiet_fork_count_value, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&clean_fork_lock);
    if (!clean_forker_running) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&thread, &attributes, clean_forker_main, NULL);
        pthread_attr_destroy(&attributes);
        if (rc != 0) {
            pthread_mutex_unlock(&clean_fork_lock);
            if (closed) fork_gate_open();
            pthread_mutex_unlock(&fork_turn);
            fork_gate_resume(paused);
            return -rc;
        }
        clean_forker_running = 1;
    }
    clean_fork_pending = &request;
    // The forker is woken with the lock free (see clean_forker_main). Once the request is done
    // the forker waits again on its own: clearing it needs no second wake-up (requests are
    // one at a time, under fork_turn).
    pthread_mutex_unlock(&clean_fork_lock);
    pthread_cond_broadcast(&clean_fork_changed);
    pthread_mutex_lock(&clean_fork_lock);
    while (!request.done) pthread_cond_wait(&clean_fork_changed, &clean_fork_lock);
    clean_fork_pending = NULL;
    pthread_mutex_unlock(&clean_fork_lock);
    if (closed) fork_gate_open();
    pthread_mutex_unlock(&fork_turn);
    fork_gate_resume(paused);
    return request.result;
}
