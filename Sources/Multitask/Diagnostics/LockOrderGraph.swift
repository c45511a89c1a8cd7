/// The historical "acquired while holding" order of lock instances (Abseil and lockdep's
/// potential-deadlock graph).
///
/// An edge `A → B` means some thread acquired (or waited for) `B` while holding `A`. A cycle means that
/// threads running those acquisitions concurrently can block each other forever, even if no
/// run so far did. Each edge is searched for a cycle once, when it is first added; callers
/// cache the pairs they have added (``LockPairCache``) so that repeated acquisitions do not
/// come here at all. Locks that die leave the graph with their edges.
struct LockOrderGraph {
    /// How an edge was first observed.
    struct Edge {
        /// The acquisition of the lock held at the time.
        let holdingSite: AcquisitionSite
        /// The acquisition that created the edge.
        let acquiringSite: AcquisitionSite
        /// The name of the thread that made it.
        let thread: String
        /// Whether the lock acquired was busy, so that the thread waited for it (and may not
        /// have it yet): the edge records an attempt, not an acquisition.
        let waited: Bool
    }

    /// One edge of a cycle.
    struct CycleStep {
        let from: UInt64
        let to: UInt64
        let edge: Edge
    }

    /// The live locks the detector has seen, with what reports say about them.
    private(set) var locks: [UInt64: DeadlockReport.LockInfo] = [:]
    private var successors: [UInt64: [UInt64: Edge]] = [:]
    private var predecessors: [UInt64: Set<UInt64>] = [:]

    mutating func addLock(_ id: UInt64, _ info: DeadlockReport.LockInfo) {
        locks[id] = info
    }

    /// Forgets a lock that is being destroyed, and every edge to or from it.
    mutating func removeLock(_ id: UInt64) {
        locks[id] = nil
        for next in successors.removeValue(forKey: id)?.keys ?? [:].keys {
            predecessors[next]?.remove(id)
        }
        for previous in predecessors.removeValue(forKey: id) ?? [] {
            successors[previous]?[id] = nil
        }
    }

    /// Records that `to` was acquired while holding `from`. If the edge is new and closes a
    /// cycle, returns that cycle: the path from `to` back to `from`, then the new edge. Edges
    /// from or to a lock that is no longer alive are ignored.
    mutating func addEdge(from: UInt64, to: UInt64, _ edge: Edge) -> [CycleStep]? {
        guard from != to, locks[from] != nil, locks[to] != nil, successors[from]?[to] == nil else { return nil }
        successors[from, default: [:]][to] = edge
        predecessors[to, default: []].insert(from)
        guard let path = shortestPath(from: to, to: from) else { return nil }
        var cycle: [CycleStep] = []
        for (a, b) in zip(path, path.dropFirst()) {
            cycle.append(CycleStep(from: a, to: b, edge: successors[a]![b]!))
        }
        cycle.append(CycleStep(from: from, to: to, edge: edge))
        return cycle
    }

    /// Breadth-first search, so that a report shows the shortest cycle.
    private func shortestPath(from start: UInt64, to goal: UInt64) -> [UInt64]? {
        var previous: [UInt64: UInt64] = [start: start]
        var frontier = [start]
        while !frontier.isEmpty {
            var next: [UInt64] = []
            for node in frontier {
                for successor in successors[node]?.keys ?? [:].keys where previous[successor] == nil {
                    previous[successor] = node
                    if successor == goal {
                        var path = [goal]
                        var cursor = goal
                        while cursor != start {
                            cursor = previous[cursor]!
                            path.append(cursor)
                        }
                        return path.reversed()
                    }
                    next.append(successor)
                }
            }
            frontier = next
        }
        return nil
    }
}
