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

int cshim_child_recorded_exit(const cshim_crash_record *record, int32_t *status) {
    if (__atomic_load_n(&record->exit_state, __ATOMIC_ACQUIRE) != CSHIM_EXIT_RECORDED) return 0;
    *status = __atomic_load_n(&record->exit_status, __ATOMIC_RELAXED);
    return 1;
}
