import SystemPackage

/// A block of memory that several processes can read and write at the same time.
///
/// Anonymous by default: the memory has no name anywhere (`memfd_create`), no other user can
/// open it, and the kernel frees it when the last process using it unmaps it — nothing can
/// leak. Children forked after its creation see the same bytes. Give it a name only when an
/// unrelated process must attach to it: a named segment lives in `/dev/shm` with mode 0600
/// until its creator calls ``unlink()`` or exits normally.
///
/// An anonymous segment is sealed against shrinking (`F_SEAL_SHRINK`): no process holding
/// its descriptor can pull memory out from under another's mapping (which would kill that
/// process with `SIGBUS`). A named segment cannot be sealed; attaching to one checks that it
/// belongs to this process's user.
///
/// The bytes start zeroed. Memory is not synchronized: use a shared ``Lock``, atomics or the
/// higher-level ``SharedValue``, ``SharedArray`` and ``Queue``.
///
/// ```swift
/// let memory = try SharedMemory(size: 4096)
/// memory.bytes.storeBytes(of: 42, as: Int.self)
/// // fork a child: it reads 42 from memory.bytes
/// ```
///
/// ``close()`` (or the end of the object's life) unmaps the memory in this process only;
/// anything still pointing into ``bytes`` must not be used afterwards.
///
/// A segment is `Codable` as a handle: a value sent to another process may contain it, and
/// decoding maps the same memory there (through a descriptor of its own), in children
/// started by the library with any start method.
// @unchecked: `bytes` is an immutable pointer to memory shared by design; the rest is immutable or Sendable.
public final class SharedMemory: @unchecked Sendable {
    /// The segment's bytes in this process. Invalid after ``close()``.
    public let bytes: UnsafeMutableRawBufferPointer
    /// The segment's size in bytes.
    public var size: Int { bytes.count }
    /// The segment's name (`"/NAME"`), or nil when anonymous.
    public let name: String?
    /// The descriptor of the file behind the segment (close-on-exec); closed by ``close()``.
    public let fileDescriptor: FileDescriptor

    /// Whether the file is sealed against shrinking (anonymous segments, checked on adoption).
    let isSealed: Bool
    private let mapping: MemoryMapping
    /// Whether ``close()`` ran in this process.
    private let isClosed = LockedBox(false)

    /// Creates an anonymous, zero-filled segment of `size` bytes.
    ///
    /// The memory is allocated up front, so running out of it fails here (`.noMemory`,
    /// `.noSpace`) rather than as a `SIGBUS` on first write. The corresponding C calls are
    /// `memfd_create`, `posix_fallocate` and `mmap(MAP_SHARED)`.
    public convenience init(size: Int) throws(Errno) {
        try self.init(anonymousSize: size, mappedLength: size, label: "multitask-shm")
    }

    /// Creates a named, zero-filled segment of `size` bytes in `/dev/shm` with mode 0600;
    /// fails with `.fileExists` if the name is taken.
    ///
    /// `name` is `"NAME"` or `"/NAME"`: NAME is 1 to ``maximumNameLength`` bytes of UTF-8
    /// with no `/` and no NUL character, and not `.` or `..`. Any other name throws
    /// `.invalidArgument` before anything is opened (a NUL would otherwise cut the name short
    /// at the system call, and the segment of the shorter name would be used). The name is
    /// removed by ``unlink()`` or, at the latest, when this process exits normally (not when
    /// it is killed).
    public convenience init(name: String, size: Int) throws(Errno) {
        usageCheck(size > 0, "SharedMemory(name:size:) needs a positive size")
        let (fd, mapping, name) = try Self.mapNamed(name, creatingWithSize: size)
        self.init(fd: fd, mapping: mapping, size: size, name: name, isSealed: false)
        NamedSegmentRegistry.shared.track(name)
    }

    /// Attaches to the named segment `name`, created by another process; its size is the
    /// segment's current size.
    ///
    /// `name` follows the rules of ``init(name:size:)``; an invalid one (empty, with a `/`
    /// after the leading one, with a NUL character, longer than ``maximumNameLength`` bytes,
    /// `.` or `..`) throws `.invalidArgument` without opening anything. Fails with
    /// `.noSuchFileOrDirectory` if there is no such segment, and with
    /// `.permissionDenied` if the segment belongs to another user than this process's
    /// effective user: that user could shrink it under this process's mapping and kill it
    /// with `SIGBUS` (named segments cannot be sealed). The creator, and any process of the
    /// same user, can still do so: attach only to segments of programs you trust.
    public convenience init(attachingTo name: String) throws(Errno) {
        let (fd, mapping, name) = try Self.mapNamed(name, creatingWithSize: nil)
        self.init(fd: fd, mapping: mapping, size: mapping.length, name: name, isSealed: false)
    }

    /// Opens (or creates with `size`) a named segment and maps all of it.
    private static func mapNamed(_ name: String, creatingWithSize size: Int?) throws(Errno) -> (FileDescriptor, MemoryMapping, String) {
        let name = try normalized(name)
        let fd = try SharedMemoryFile.openNamed(name, create: size != nil)
        do throws(Errno) {
            if let size { try fd.allocateFileSpace(offset: 0, length: size) }
            var length = size ?? 0
            if size == nil {
                // Checked before mapping: a foreign owner could shrink the file under us.
                guard try fd.ownership().user == ProcessIdentity.effectiveUser else { throw Errno.permissionDenied }
                length = try fd.fileSize()
            }
            guard length > 0 else { throw Errno.invalidArgument }
            return (fd, try MemoryMapping.mapShared(fd, length: length), name)
        } catch {
            if size != nil { try? SharedMemoryFile.unlinkNamed(name) }
            try? fd.closeDescriptor()
            throw error
        }
    }

    /// An anonymous segment whose file holds `size` bytes but whose mapping spans
    /// `mappedLength` bytes, so the file can later grow in place (``reserve(offset:length:)``).
    ///
    /// The file is sealed against shrinking, and its seals are then locked (`F_SEAL_SEAL`), so
    /// no peer can add `F_SEAL_GROW` either and make growth fail.
    init(anonymousSize size: Int, mappedLength: Int, label: String) throws(Errno) {
        usageCheck(size > 0 && mappedLength >= size, "SharedMemory needs a positive size")
        let fd = try SharedMemoryFile.createAnonymous(label: label)
        do {
            try fd.addSeals([.shrink, .seal])
            try fd.allocateFileSpace(offset: 0, length: size)
            mapping = try MemoryMapping.mapShared(fd, length: mappedLength)
        } catch {
            try? fd.closeDescriptor()
            throw error
        }
        fileDescriptor = fd
        name = nil
        isSealed = true
        bytes = UnsafeMutableRawBufferPointer(start: mapping.base, count: mappedLength)
    }

    init(fd: FileDescriptor, mapping: MemoryMapping, size: Int, name: String?, isSealed: Bool) {
        self.fileDescriptor = fd
        self.mapping = mapping
        self.name = name
        self.isSealed = isSealed
        self.bytes = UnsafeMutableRawBufferPointer(start: mapping.base, count: size)
    }

    deinit { close() }

    /// Backs `length` bytes at `offset` (within the mapped length) with memory, growing the
    /// file if needed, so stores there cannot fault. Any process may call it.
    func reserve(offset: Int, length: Int) throws(Errno) {
        usageCheck(offset >= 0 && offset + length <= bytes.count, "reserve beyond the mapped length")
        try fileDescriptor.allocateFileSpace(offset: offset, length: length)
    }

    /// Maps `length` reserved bytes at `offset` (page-aligned) writable in this process at
    /// once, instead of one page fault per page at the first stores there. Only a speed-up:
    /// a system that cannot do it leaves the pages to fault as usual.
    func prefault(offset: Int, length: Int) {
        try? mapping.populateForWriting(offset: offset, length: length)
    }

    /// The bytes of the file now: every byte of the mapping below it can be touched without
    /// `SIGBUS`, for good when the segment ``isSealed`` (the file cannot shrink).
    func fileSize() throws(Errno) -> Int {
        try fileDescriptor.fileSize()
    }

    /// Returns the memory behind `length` bytes at `offset` (page-aligned) to the system, in
    /// every process; they read as zeros until written again (``reserve(offset:length:)``
    /// first, to be sure the write cannot fault).
    func discard(offset: Int, length: Int) throws(Errno) {
        try mapping.discard(offset: offset, length: length)
    }

    /// Unmaps the segment and closes its descriptor in this process. Other processes keep
    /// their mappings; a named segment keeps its name (see ``unlink()``). Idempotent.
    public func close() {
        let first = isClosed.withLock { isClosed in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        mapping.unmap()
        try? fileDescriptor.closeDescriptor()
    }

    /// Removes a named segment's name from `/dev/shm`: no process can attach any more, and
    /// the memory is freed once every process has closed it. Only meaningful for the creator.
    ///
    /// The corresponding C function is `shm_unlink`.
    public func unlink() throws(Errno) {
        guard let name else { return }
        NamedSegmentRegistry.shared.forget(name)
        try SharedMemoryFile.unlinkNamed(name)
    }

    /// The longest segment name, in UTF-8 bytes, without the leading `/` (the file name in
    /// `/dev/shm`, below the system's 255-byte limit).
    public static let maximumNameLength = 250

    /// `"/NAME"` for a valid name (see ``init(name:size:)``); throws `.invalidArgument` for
    /// any other. Every byte is checked: the C call would stop at a NUL and use a shorter name.
    private static func normalized(_ name: String) throws(Errno) -> String {
        let bare = name.utf8.first == UInt8(ascii: "/") ? name.utf8.dropFirst() : name.utf8[...]
        guard !bare.isEmpty, bare.count <= maximumNameLength,
              !bare.contains(UInt8(ascii: "/")), !bare.contains(0),
              !bare.elementsEqual(".".utf8), !bare.elementsEqual("..".utf8)
        else {
            throw Errno.invalidArgument
        }
        return "/" + String(decoding: bare, as: UTF8.self)
    }
}

/// Names of the segments this process created and has not unlinked; unlinked at normal exit.
///
/// Entries remember the creating pid, so a forked child that calls `exit` does not remove
/// segments its parent still uses.
final class NamedSegmentRegistry: Sendable {
    static let shared = NamedSegmentRegistry()

    /// Each name with its creator's pid, and whether the exit hook is installed.
    private struct Names {
        var names: [String: Int32] = [:]
        var exitHookInstalled = false
    }

    /// Its lock is forced open in a fork child, whose exit unlinks what it created itself.
    private let state = LockedBox(Names(), inForkChild: { _ in })

    func track(_ name: String) {
        let install = state.withLock { state in
            state.names[name] = ProcessIdentity.pid
            defer { state.exitHookInstalled = true }
            return !state.exitHookInstalled
        }
        if install { ExitHooks.runAtExit { NamedSegmentRegistry.shared.unlinkAll() } }
    }

    func forget(_ name: String) {
        state.withLock { _ = $0.names.removeValue(forKey: name) }
    }

    /// The names this process created and still owns.
    var trackedNames: [String] {
        let pid = ProcessIdentity.pid
        return state.withLock { $0.names.filter { $0.value == pid }.map(\.key) }
    }

    func unlinkAll() {
        for name in trackedNames {
            try? SharedMemoryFile.unlinkNamed(name)
            forget(name)
        }
    }
}
