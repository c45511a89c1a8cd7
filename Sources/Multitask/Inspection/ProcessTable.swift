import SystemPackage

/// A snapshot of every process on the system, read from `/proc`: what `ps aux` and `pstree`
/// show, as values.
///
/// `/proc` cannot be read atomically: a snapshot reads one process after another, and a
/// process that exits while it is being read is simply left out (never an error). Everything
/// else — parents, children, trees — is answered from the snapshot, so the answers are
/// consistent with each other even while the system changes.
///
/// ```swift
/// let table = try ProcessTable.snapshot()
/// for child in table.children(of: ProcessTable.currentPID) {
///     print(child.pid, child.stat, child.processState, child.command)
/// }
/// print(table.tree(rootedAt: 1)?.count ?? 0, "processes under init")
/// ```
public struct ProcessTable: Sendable {
    /// Every process, by ascending pid.
    public let entries: [Entry]
    /// When the snapshot was taken, in seconds since the Unix epoch.
    public let takenAt: Int
    /// `MemTotal` in KiB, the base of every ``Entry/memoryPercent``.
    public let memoryTotalKiB: UInt64

    private let indexByPID: [Int32: Int]
    /// Indices of each process's children, in start order.
    private let childIndices: [Int32: [Int]]

    /// Builds a table from entries (any order).
    init(entries: [Entry], takenAt: Int, memoryTotalKiB: UInt64) {
        self.entries = entries.sorted { $0.pid < $1.pid }
        self.takenAt = takenAt
        self.memoryTotalKiB = memoryTotalKiB
        var index: [Int32: Int] = [:]
        var children: [Int32: [Int]] = [:]
        for (i, entry) in self.entries.enumerated() {
            index[entry.pid] = i
            if entry.parentPID != entry.pid { children[entry.parentPID, default: []].append(i) }
        }
        let sorted = self.entries
        for (pid, list) in children {
            children[pid] = list.sorted { ProcessTree.startOrder(sorted[$0], sorted[$1]) }
        }
        indexByPID = index
        childIndices = children
    }

    /// Reads every process in `/proc`.
    ///
    /// - Parameter includingThreads: Also list each process's threads
    ///   (``Entry/threads``), which `pstree` shows; costs one more read per thread.
    /// - Throws: `Errno` only when `/proc` itself cannot be read.
    public static func snapshot(includingThreads: Bool = false) throws(Errno) -> ProcessTable {
        let context = try SnapshotContext.read()
        let now = LocalTime.now
        var reader = ProcReader(context: context, includingThreads: includingThreads)
        let entries = try ProcFS.numericEntries(of: "/proc").compactMap { reader.read(pid: $0) }
        return ProcessTable(entries: entries, takenAt: now, memoryTotalKiB: context.memoryTotalKiB)
    }

    /// The id of the calling process.
    public static var currentPID: Int32 { ProcessIdentity.pid }

    /// The calling process, as the snapshot saw it (`nil` only if it was taken elsewhere).
    public var current: Entry? { process(pid: ProcessTable.currentPID) }

    /// The process with id `pid`, or `nil` if it was not running when the snapshot was taken.
    public func process(pid: Int32) -> Entry? {
        indexByPID[pid].map { entries[$0] }
    }

    /// The processes whose parent is `pid`, oldest first.
    public func children(of pid: Int32) -> [Entry] {
        (childIndices[pid] ?? []).map { entries[$0] }
    }

    /// Children, grandchildren and so on of `pid`, depth-first: each process is followed by
    /// its own descendants, siblings oldest first. `pid` itself is not included.
    public func descendants(of pid: Int32) -> [Entry] {
        var result: [Entry] = []
        var seen: Set<Int32> = [pid]
        func visit(_ parent: Int32) {
            for i in childIndices[parent] ?? [] where seen.insert(entries[i].pid).inserted {
                result.append(entries[i])
                visit(entries[i].pid)
            }
        }
        visit(pid)
        return result
    }

    /// The parent of `pid`, its parent, and so on up to the first process whose parent is not
    /// in the table (usually init, pid 1).
    public func ancestors(of pid: Int32) -> [Entry] {
        var result: [Entry] = []
        var seen: Set<Int32> = [pid]
        var next = process(pid: pid)?.parentPID
        while let current = next, seen.insert(current).inserted, let entry = process(pid: current) {
            result.append(entry)
            next = entry.parentPID
        }
        return result
    }

    /// The tree of `pid` and all its descendants, or `nil` if `pid` is not in the table.
    public func tree(rootedAt pid: Int32) -> ProcessTree? {
        guard let root = indexByPID[pid] else { return nil }
        var seen: Set<Int32> = []
        return ProcessTree(root: root, entries: entries, children: { childIndices[$0] ?? [] }, seen: &seen)
    }

    /// Every process arranged in trees: one per process whose parent is not in the table
    /// (on Linux: init, pid 1, and the kernel's `kthreadd`, pid 2).
    public var forest: [ProcessTree] { ProcessTree.forest(of: entries) }
}
