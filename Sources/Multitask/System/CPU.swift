import CShim
import Glibc

/// Facts about the processors this process may use.
public enum CPU {
    /// The number of CPUs this process may run on (its affinity mask), at least 1 — Python's
    /// `len(os.sched_getaffinity(0))`. The corresponding C function is `sched_getaffinity`.
    public static var available: Int { max(1, Int(cshim_cpu_count())) }

    /// Lets another runnable thread on this CPU run first. The corresponding C function is
    /// `sched_yield`.
    static func yield() { _ = sched_yield() }

    /// Tells the CPU the caller is spinning (x86 `pause`, ARM `yield`), so a sibling hyper-thread
    /// runs and the spin wastes less power. The corresponding C function is `cshim_cpu_relax`.
    @inline(__always)
    static func relax() { cshim_cpu_relax() }

    /// Starts fetching the cache line at `address` for writing, so that a later store to it
    /// does not wait for another CPU to give it up. Only a hint: the address need not be valid.
    @inline(__always)
    static func prefetchForWriting(_ address: UnsafeRawPointer) { cshim_prefetch_for_writing(address) }

    /// The calling thread's 64 bits of spin history, zero in a new thread, which the `Sync`
    /// layer's spin policy gives meaning to (a C thread-local: one load, one store). The
    /// corresponding C functions are `cshim_spin_estimates` and `cshim_set_spin_estimates`.
    static var threadSpinEstimates: UInt64 {
        @inline(__always) get { cshim_spin_estimates() }
        @inline(__always) set { cshim_set_spin_estimates(newValue) }
    }
}
