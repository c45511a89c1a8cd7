import Glibc
import SystemPackage

/// Limits the kernel enforces on the calling process.
enum ResourceLimit {
    /// Caps the process's virtual address space at `bytes` (soft and hard limit): allocations
    /// beyond it fail, which a Swift program turns into a crash. The corresponding C function
    /// is `setrlimit(RLIMIT_AS)`.
    static func limitAddressSpace(to bytes: Int) throws(Errno) {
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else { throw Errno(rawValue: errno) }
    }

    /// The size of the calling process's address space now, in bytes (`VmSize`), or nil if
    /// `/proc` is unavailable.
    static var currentAddressSpace: Int? {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = Glibc.read(fd, &buffer, buffer.count)
        guard n > 0 else { return nil }
        let pages = buffer[..<n].prefix { $0 != 0x20 }.reduce(0) { $0 * 10 + Int($1 &- 0x30) }
        return pages * MemoryMapping.pageSize
    }
}
