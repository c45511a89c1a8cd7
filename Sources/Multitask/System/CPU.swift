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
}
