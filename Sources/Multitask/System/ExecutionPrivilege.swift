import CShim
import Glibc

/// Whether this process runs with privileges its user did not have when starting it.
enum ExecutionPrivilege {
    /// True when the kernel started the program in secure-execution mode (set-user-ID,
    /// set-group-ID or file capabilities) or its real and effective ids differ. Such a
    /// process must not take instructions from its environment or inherited descriptors.
    /// The corresponding C functions are `getauxval(AT_SECURE)`, `getuid`/`geteuid`,
    /// `getgid`/`getegid`.
    static var isElevated: Bool {
        cshim_is_secure_execution() != 0 || getuid() != geteuid() || getgid() != getegid()
    }
}
