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
void cshim_bind_fork_child_calls(int fd, unsigned int key) {
    (void)__fpending(stdout);
    if (fd >= 0) (void)dup2(fd, fd);
    // The crash handler's set-up (sigaltstack, sigemptyset) and the thread registry's fork
    // reset (pthread_getspecific) run in every child and nowhere else.
    stack_t current;
    (void)sigaltstack(NULL, &current);
    sigset_t empty;
    (void)sigemptyset(&empty);
    (void)pthread_getspecific(key);
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

void cshim_keep_pointer(const void *pointer) { (void)pointer; }
