import Glibc
import SystemPackage

/// A range of virtual memory mapped from a file with `MAP_SHARED`.
///
/// A plain value: unmapping is explicit (`unmap()`), done once by the owner.
// @unchecked: an immutable pointer and length; unmapping is the owner's, once.
struct MemoryMapping: @unchecked Sendable {
    /// Invariant: page-aligned start of `length` mapped bytes, until `unmap()`.
    let base: UnsafeMutableRawPointer
    let length: Int

    /// Maps `length` bytes of `file` from offset 0, readable and writable, shared with every
    /// other mapping of the file.
    ///
    /// `length` may exceed the file's current size: pages past the end raise `SIGBUS` when
    /// touched until the file grows over them, which lets a segment grow in place.
    /// The corresponding C function is `mmap` with `MAP_SHARED`.
    static func mapShared(_ file: FileDescriptor, length: Int) throws(Errno) -> MemoryMapping {
        usageCheck(length > 0, "a mapping needs at least one byte")
        guard let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, file.rawValue, 0),
              base != MAP_FAILED
        else { throw Errno(rawValue: errno) }
        return MemoryMapping(base: base, length: length)
    }

    /// Removes the mapping. The corresponding C function is `munmap`.
    func unmap() {
        let rc = munmap(base, length)
        usageCheck(rc == 0, "munmap failed: errno \(errno)")
    }

    /// Gives the pages of `range` (page-aligned offsets) back to the system; they read as
    /// zeros afterwards. The corresponding C function is `madvise(MADV_REMOVE)`.
    func discard(offset: Int, length: Int) throws(Errno) {
        if madvise(base + offset, length, MADV_REMOVE) != 0 { throw Errno(rawValue: errno) }
    }

    /// Maps the pages of `range` (page-aligned offsets, memory the file backs) writable in
    /// this process now, in one call, so that the first stores there do not fault page by
    /// page. The corresponding C function is `madvise(MADV_POPULATE_WRITE)` (Linux 5.14).
    func populateForWriting(offset: Int, length: Int) throws(Errno) {
        if madvise(base + offset, length, MADV_POPULATE_WRITE) != 0 { throw Errno(rawValue: errno) }
    }

    /// The size of a memory page. The corresponding C function is `sysconf(_SC_PAGESIZE)`.
    static let pageSize: Int = Int(sysconf(Int32(_SC_PAGESIZE)))
}
