import Glibc
import SystemPackage

/// Anonymous memory shared with every child forked after its creation
/// (`MAP_SHARED | MAP_ANONYMOUS`): no name, no descriptor, freed when the last process
/// unmaps it or exits.
// @unchecked: an immutable pointer to memory shared by design; its users access it atomically.
struct SharedPages: @unchecked Sendable {
    /// The first byte, page aligned.
    let base: UnsafeMutableRawPointer
    /// The size in bytes, a whole number of pages.
    let size: Int

    /// Maps `size` zeroed bytes, rounded up to whole pages. The corresponding C function is
    /// `mmap`.
    init(size: Int) throws(Errno) {
        let page = MemoryMapping.pageSize
        let rounded = max(page, (size + page - 1) / page * page)
        guard let raw = mmap(nil, rounded, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else { throw Errno(rawValue: errno) }
        base = raw
        self.size = rounded
    }

    /// Unmaps the pages in this process. The corresponding C function is `munmap`.
    func unmap() { _ = munmap(base, size) }
}
