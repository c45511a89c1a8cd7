// Open MPI's C API for Swift. Open MPI's predefined handles (MPI_COMM_WORLD, MPI_BYTE, ...)
// are macros that take the address of a global, which Swift cannot import: each gets a
// `static inline` accessor here. Integer macros and enums import as they are.
#ifndef MULTITASK_CMPI_SHIM_H
#define MULTITASK_CMPI_SHIM_H

#include <mpi.h>
#include <sys/prctl.h>

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

#endif
