// Open MPI's C API for Swift. Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, ...)
// are macros that take the address of a global, which Swift cannot import: each gets a
// `static inline` accessor here. Integer macros and enums import as they are.
#ifndef MULTITASK_CMPI_SHIM_H
#define MULTITASK_CMPI_SHIM_H

#include <mpi.h>
#include <sys/prctl.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdint.h>
#include <time.h>

/// MPI_COMM_WORLD.
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
/// MPI_COMM_SELF.
static inline MPI_Comm cmpi_comm_self(void) { return MPI_COMM_SELF; }
/// MPI_COMM_NULL.
static inline MPI_Comm cmpi_comm_null(void) { return MPI_COMM_NULL; }
/// MPI_BYTE.
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
/// MPI_INFO_NULL.
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
/// MPI_REQUEST_NULL.
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
/// MPI_ERRORS_RETURN.
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
/// MPI_STATUS_IGNORE.
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
/// MPI_ERRCODES_IGNORE.
static inline int *cmpi_errcodes_ignore(void) { return MPI_ERRCODES_IGNORE; }
/// The source rank of a received message's status.
static inline int cmpi_status_source(const MPI_Status *status) { return status->MPI_SOURCE; }
/// prctl(PR_SET_TIMERSLACK, ns) for the calling thread (prctl is variadic: Swift cannot call it).
static inline int cmpi_set_timer_slack(unsigned long nanoseconds) { return prctl(PR_SET_TIMERSLACK, nanoseconds, 0, 0, 0); }

// A doorbell word (MPIBell): bits 0-30 count the rings, bit 31 says its owner sleeps (or is
// about to) on it. It lives in shared memory, so a peer process on the same machine can ring it.

/// The rings so far (bits 0-30).
static inline uint32_t cmpi_bell_count(uint32_t *word) { return __atomic_load_n(word, __ATOMIC_SEQ_CST) & 0x7fffffffu; }

/// Counts a ring and wakes the owner if it sleeps; returns 1 when it made the wake-up call.
static inline int cmpi_bell_ring(uint32_t *word) {
    uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(word, &old, (old + 1) & 0x7fffffffu, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {}
    if (!(old & 0x80000000u)) return 0;
    syscall(SYS_futex, word, FUTEX_WAKE, INT32_MAX, NULL, NULL, 0);
    return 1;
}

/// Sleeps until the word is rung, at most `nanoseconds`, unless it was rung since the count
/// was `seen` (then returns at once).
static inline void cmpi_bell_sleep(uint32_t *word, uint32_t seen, long nanoseconds) {
    uint32_t old = __atomic_load_n(word, __ATOMIC_RELAXED);
    for (;;) {
        if ((old & 0x7fffffffu) != seen) return;
        if (old & 0x80000000u) break;
        if (__atomic_compare_exchange_n(word, &old, old | 0x80000000u, 1, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            old |= 0x80000000u;
            break;
        }
    }
    struct timespec limit = { nanoseconds / 1000000000L, nanoseconds % 1000000000L };
    syscall(SYS_futex, word, FUTEX_WAIT, old, &limit, NULL, 0);
}

/// An anonymous shared-memory file (memfd_create, closed on exec), or -1.
static inline int cmpi_memfd(const char *name) { return (int)syscall(SYS_memfd_create, name, 1u /* MFD_CLOEXEC */); }

#endif
