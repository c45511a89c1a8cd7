#if MPI
import CMPI
import Glibc

/// The doorbell an MPI thread sleeps on: a futex word in a page of shared memory (a memfd),
/// rung by the threads of its own process (a submission, a local outcome) and by the MPI
/// threads of peer processes on the same machine right after they send it a message
/// (``MPIPeerBell``). Open MPI cannot wake a thread when a message arrives (a process waiting
/// inside MPI spins at 100% of a CPU); with the bell the receiver sleeps and the sender wakes
/// it, which on a loaded machine is far quicker than polling: the scheduler runs a thread that
/// was woken soon, while a thread that polls (and so keeps using its share) waits its turn,
/// about a millisecond at a load of 10 on 2 CPUs.
///
/// Only the owner's MPI thread calls ``clear()`` and ``wait(timeout:)``; ``ring()`` is for any
/// thread.
// @unchecked: the word is changed only with atomic operations; `seen` is the owner thread's.
final class MPIBell: @unchecked Sendable {
    /// The mapped page.
    static let size = 4096

    private let page: UnsafeMutableRawPointer
    private var word: UnsafeMutablePointer<UInt32> { page.assumingMemoryBound(to: UInt32.self) }
    private var seen: UInt32 = 0
    /// How a peer on this machine finds the bell (see ``MPIPeerBell/init(address:)``); nil
    /// when the system gave no shared-memory file: then only this process rings it, and its
    /// peers' messages are found by polling.
    let address: String?

    /// A new bell, not rung yet.
    init() {
        let descriptor = cmpi_memfd("multitask-mpi-bell")
        if descriptor >= 0, ftruncate(descriptor, off_t(Self.size)) == 0,
           let shared = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), shared != MAP_FAILED {
            let token = UInt64.random(in: 1...UInt64.max)
            shared.storeBytes(of: token, toByteOffset: MPIPeerBell.tokenOffset, as: UInt64.self)
            page = shared
            // The descriptor stays open for the life of the process: peers open the page through it.
            address = "\(MPIPeerBell.bootID):\(getpid()):\(descriptor):\(token)"
        } else {
            if descriptor >= 0 { close(descriptor) }
            page = UnsafeMutableRawPointer.allocate(byteCount: 8, alignment: 8)
            page.storeBytes(of: 0, as: UInt64.self)
            address = nil
        }
    }

    /// Notes the rings so far: ``wait(timeout:)`` then sleeps only if none comes after this.
    /// Call before looking for work. Returns whether the bell rang since the last call: a peer
    /// rings right after its message left, which (over TCP, through the kernel's loopback or
    /// network path) may still be on its way, so a ring with nothing found means "poll on".
    @discardableResult
    func clear() -> Bool {
        let count = cmpi_bell_count(word)
        defer { seen = count }
        return count != seen
    }

    /// Sleeps until the bell rings, at most `timeout`; returns at once if it rang since
    /// ``clear()``.
    func wait(timeout: Duration) {
        cmpi_bell_sleep(word, seen, Int(timeout.totalNanoseconds))
    }

    /// Rings the bell from this process.
    func ring() {
        _ = cmpi_bell_ring(word)
    }
}

/// A peer's ``MPIBell``, opened through `/proc/PID/fd/FD` when the peer runs on the same
/// machine (same boot id) and the page there carries the token the peer sent: rung after each
/// message sent to the peer. On another machine there is none, and the peer finds the message
/// by polling.
// @unchecked: the word is changed only with atomic operations.
final class MPIPeerBell: @unchecked Sendable {
    /// Where the bell's page keeps its token (the word is at 0).
    static let tokenOffset = 8

    private let page: UnsafeMutableRawPointer

    /// Opens the bell at `address` (boot id, pid, descriptor, token, separated by colons); nil
    /// when it is on another machine, gone, or not that bell.
    init?(address: String) {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        let boot = Self.bootID
        guard parts.count == 4, boot != "unknown", parts[0] == boot, let pid = Int32(parts[1]), let fd = Int32(parts[2]),
              let token = UInt64(parts[3]), pid > 0, fd >= 0 else { return nil }
        let descriptor = open("/proc/\(pid)/fd/\(fd)", O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size >= MPIBell.size,
              let page = mmap(nil, MPIBell.size, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), page != MAP_FAILED
        else { return nil }
        guard page.load(fromByteOffset: Self.tokenOffset, as: UInt64.self) == token else {
            munmap(page, MPIBell.size)
            return nil
        }
        self.page = page
    }

    deinit {
        munmap(page, MPIBell.size)
    }

    /// Wakes the peer's MPI thread if it sleeps.
    func ring() {
        _ = cmpi_bell_ring(page.assumingMemoryBound(to: UInt32.self))
    }

    /// This boot of this machine (`/proc/sys/kernel/random/boot_id`): two processes with the
    /// same one share the machine's memory.
    static var bootID: Substring {
        guard let file = fopen("/proc/sys/kernel/random/boot_id", "r") else { return "unknown" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return "unknown" }
        let text = String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Substring(text)
    }
}
#endif
