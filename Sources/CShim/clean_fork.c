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
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

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
