/// A process and, below it, the tree of its descendants, taken from a ``ProcessTable``.
///
/// Children are in start order (oldest first, then by pid), the order `ps --forest` shows.
///
/// ```swift
/// if let tree = try ProcessTable.snapshot().tree(rootedAt: ProcessTable.currentPID) {
///     tree.walk { process, depth in
///         print(String(repeating: "  ", count: depth) + process.name)
///     }
/// }
/// ```
public struct ProcessTree: Sendable, Hashable {
    /// The process at this node.
    public let process: ProcessTable.Entry
    /// Its children's trees, oldest first.
    public let children: [ProcessTree]

    /// Creates a node.
    public init(process: ProcessTable.Entry, children: [ProcessTree]) {
        self.process = process
        self.children = children
    }

    /// The number of processes in the tree, this one included.
    public var count: Int { children.reduce(1) { $0 + $1.count } }

    /// This process and every descendant, depth-first (each process before its children).
    public var allProcesses: [ProcessTable.Entry] {
        var result: [ProcessTable.Entry] = []
        walk { process, _ in result.append(process) }
        return result
    }

    /// Calls `body` for every node depth-first, with its depth below this one (0 here).
    public func walk(_ body: (ProcessTable.Entry, Int) throws -> Void) rethrows {
        try walk(depth: 0, body)
    }

    private func walk(depth: Int, _ body: (ProcessTable.Entry, Int) throws -> Void) rethrows {
        try body(process, depth)
        for child in children { try child.walk(depth: depth + 1, body) }
    }

    /// Arranges `processes` in trees: each process goes under its parent when the parent is
    /// among them, and starts a tree of its own otherwise. Roots are ordered by parent pid,
    /// then start order.
    public static func forest(of processes: [ProcessTable.Entry]) -> [ProcessTree] {
        let present = Set(processes.map(\.pid))
        var children: [Int32: [Int]] = [:]
        var roots: [Int] = []
        for (i, entry) in processes.enumerated() {
            if entry.parentPID != entry.pid && present.contains(entry.parentPID) {
                children[entry.parentPID, default: []].append(i)
            } else {
                roots.append(i)
            }
        }
        for (pid, list) in children {
            children[pid] = list.sorted { startOrder(processes[$0], processes[$1]) }
        }
        roots.sort {
            let a = processes[$0], b = processes[$1]
            return a.parentPID != b.parentPID ? a.parentPID < b.parentPID : startOrder(a, b)
        }
        var seen: Set<Int32> = []
        return roots.map { ProcessTree(root: $0, entries: processes, children: { children[$0] ?? [] }, seen: &seen) }
    }

    /// Start order: earlier start first, then lower pid.
    static func startOrder(_ a: ProcessTable.Entry, _ b: ProcessTable.Entry) -> Bool {
        a.startTicks != b.startTicks ? a.startTicks < b.startTicks : a.pid < b.pid
    }

    /// Builds the node for `entries[root]`; `seen` guards against a parent cycle, which a
    /// non-atomic snapshot could contain if a pid was reused while it was read.
    init(root: Int, entries: [ProcessTable.Entry], children: (Int32) -> [Int], seen: inout Set<Int32>) {
        let entry = entries[root]
        seen.insert(entry.pid)
        var nodes: [ProcessTree] = []
        for i in children(entry.pid) where !seen.contains(entries[i].pid) {
            nodes.append(ProcessTree(root: i, entries: entries, children: children, seen: &seen))
        }
        self.init(process: entry, children: nodes)
    }
}
