import Glibc
import Testing
@testable import Multitask

@Suite("Process table")
struct ProcessTableTests {
    typealias Child = InspectionSupport.Child

    /// The fields `ps -eo pid,ppid,user,stat,comm` prints for one process.
    struct PSRow {
        var ppid: Int32
        var user: String
        var stat: String
        var comm: String
    }

    static func psRows() throws -> [Int32: PSRow]? {
        guard let ps = InspectionSupport.toolPath("ps") else { return nil }
        let (status, output) = try InspectionSupport.run(ps, ["-eo", "pid,ppid,user,stat,comm"])
        #expect(status == 0)
        var rows: [Int32: PSRow] = [:]
        for line in output.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: true)
            guard fields.count == 5, let pid = Int32(fields[0]), let ppid = Int32(fields[1]) else { continue }
            var comm = String(fields[4].drop { $0 == " " })
            if comm.hasSuffix(" <defunct>") { comm.removeLast(" <defunct>".count) }
            rows[pid] = PSRow(ppid: ppid, user: String(fields[2]), stat: String(fields[3]), comm: comm)
        }
        return rows
    }

    @Test("a snapshot agrees with ps -eo pid,ppid,user,stat,comm for every process in both")
    func agreesWithPS() throws {
        let sleepers = [Child(["/bin/sleep", "30"]), Child(["/bin/sleep", "31"])]
        defer { sleepers.forEach { $0.stop() } }
        let ready = try InspectionSupport.waitForTable { table in
            sleepers.allSatisfy { table.process(pid: $0.pid).map { $0.name == "sleep" && $0.kernelState == .sleeping } ?? false }
        }
        try #require(ready != nil, "the sleep children never reached S")

        let before = try ProcessTable.snapshot()
        guard let ps = try Self.psRows() else {
            Issue.record("procps `ps` is not installed; install it with `apt-get install procps`")
            return
        }
        let after = try ProcessTable.snapshot()

        // Processes unchanged across both snapshots were the same while ps read them.
        var compared = 0
        for old in before.entries {
            guard let new = after.process(pid: old.pid), let row = ps[old.pid],
                  new.startTime == old.startTime, new.parentPID == old.parentPID,
                  new.user == old.user, new.name == old.name
            else { continue }
            compared += 1
            #expect(row.ppid == old.parentPID, "ppid of \(old.pid) \(old.name)")
            #expect(row.user == PSListing.userCell(old.user), "user of \(old.pid) \(old.name)")
            // Workqueue threads rename themselves after the work they last did.
            if !old.name.hasPrefix("kworker/") {
                #expect(row.comm == DisplayText.psEscaped(old.name), "comm of \(old.pid)")
            }
            if old.stat == new.stat {
                // The flags that only change on purpose (nice, locked pages, session leader).
                for flag in "<NLs" {
                    #expect(row.stat.contains(flag) == old.stat.contains(flag), "STAT \(flag) of \(old.pid) \(old.name): ps \(row.stat), ours \(old.stat)")
                }
            }
        }
        #expect(compared > 10, "too few processes were stable enough to compare")

        for child in sleepers {
            let entry = try #require(before.process(pid: child.pid))
            let row = try #require(ps[child.pid])
            #expect(row.stat == entry.stat)
            #expect(entry.kernelState == .sleeping)
            #expect(entry.processState == .waiting)
            #expect(entry.parentPID == getpid())
            #expect(entry.command == "/bin/sleep \(child === sleepers[0] ? 30 : 31)")
        }
        let mine = before.children(of: getpid()).map(\.pid)
        #expect(sleepers.allSatisfy { mine.contains($0.pid) })
    }

    @Test("a child that exited and was not reaped shows as Z, terminated, <defunct>")
    func zombie() throws {
        let child = Child(["/bin/true"])
        defer { child.stop() }
        let table = try #require(try InspectionSupport.waitForTable { $0.process(pid: child.pid)?.kernelState == .zombie })
        let entry = try #require(table.process(pid: child.pid))
        #expect(entry.stat.first == "Z")
        #expect(entry.processState == .terminated)
        #expect(entry.arguments.isEmpty)
        #expect(entry.command == "[true] <defunct>")
        #expect(entry.virtualMemoryKiB == 0 && entry.residentMemoryKiB == 0)
        if let ps = try Self.psRows(), let row = ps[child.pid] {
            #expect(row.stat.first == "Z")
            #expect(row.comm == "true")
        }
        #expect(child.reap())
        let gone = try ProcessTable.snapshot()
        #expect(gone.process(pid: child.pid) == nil)
    }

    @Test("a stopped child shows as T and waiting; it runs again after SIGCONT")
    func stopped() throws {
        let child = Child(["/bin/sleep", "30"])
        defer { child.stop() }
        _ = try InspectionSupport.waitForTable { $0.process(pid: child.pid)?.name == "sleep" }
        child.send(SIGSTOP)
        let table = try #require(try InspectionSupport.waitForTable { $0.process(pid: child.pid)?.kernelState == .stopped })
        #expect(table.process(pid: child.pid)?.processState == .waiting)
        if let ps = try Self.psRows() { #expect(ps[child.pid]?.stat.first == "T") }
        child.send(SIGCONT)
        #expect(try InspectionSupport.waitForTable { $0.process(pid: child.pid)?.kernelState == .sleeping } != nil)
    }

    @Test("children, descendants, ancestors and the tree of a process started by the test")
    func relations() throws {
        let root = Child(["/bin/sh", "-c", "/bin/sleep 30 & /bin/sh -c '/bin/sleep 30 & /bin/sleep 30 & wait' & wait"], newGroup: true)
        defer { root.stop() }
        let table = try #require(try InspectionSupport.waitForTable { table in
            let kids = table.children(of: root.pid)
            guard kids.count == 2, let inner = kids.first(where: { $0.name == "sh" }) else { return false }
            let grandkids = table.children(of: inner.pid)
            return kids.contains { $0.name == "sleep" } && grandkids.count == 2 && grandkids.allSatisfy { $0.name == "sleep" }
        }, "the process tree never formed")

        let inner = try #require(table.children(of: root.pid).first { $0.name == "sh" })
        let descendants = table.descendants(of: root.pid)
        #expect(descendants.count == 4)
        #expect(Set(descendants.map(\.name)) == ["sh", "sleep"])
        // Depth-first: the inner shell is followed by its own two children.
        let innerIndex = try #require(descendants.firstIndex { $0.pid == inner.pid })
        #expect(descendants[(innerIndex + 1)...].prefix(2).allSatisfy { $0.parentPID == inner.pid })

        let grandchild = try #require(table.children(of: inner.pid).first)
        let ancestors = table.ancestors(of: grandchild.pid).map(\.pid)
        #expect(Array(ancestors.prefix(3)) == [inner.pid, root.pid, getpid()])

        let tree = try #require(table.tree(rootedAt: root.pid))
        #expect(tree.count == 5)
        #expect(tree.allProcesses.map(\.pid) == [root.pid] + descendants.map(\.pid))
        var depths: [Int32: Int] = [:]
        tree.walk { process, depth in depths[process.pid] = depth }
        #expect(depths[grandchild.pid] == 2)
        #expect(table.process(pid: root.pid)?.processGroupID == root.pid)

        let forest = ProcessTree.forest(of: [table.process(pid: inner.pid)!] + table.children(of: inner.pid))
        #expect(forest.count == 1 && forest[0].children.count == 2)
    }

    @Test("the current process is in the snapshot with its parent and threads")
    func current() throws {
        let table = try ProcessTable.snapshot(includingThreads: true)
        let me = try #require(table.current)
        #expect(me.pid == getpid())
        #expect(me.parentPID == getppid())
        #expect(me.uid == geteuid())
        // The state of a process is its main thread's, which may be asleep while tests run.
        #expect([.running, .waiting].contains(me.processState))
        #expect(!me.arguments.isEmpty)
        #expect(me.isMultithreaded && !me.threads.isEmpty)
        #expect(me.threads.allSatisfy { $0.tid != me.pid })
        #expect(me.startTime <= table.takenAt)
        #expect(table.entries.map(\.pid) == table.entries.map(\.pid).sorted())
        #expect(table.process(pid: 1) != nil)
    }

    @Test("a process that is gone is skipped, not an error")
    func vanished() throws {
        let child = Child(["/bin/true"])
        child.reap()
        var reader = ProcReader(context: try SnapshotContext.read(), includingThreads: true)
        #expect(reader.read(pid: child.pid) == nil)
        #expect(try ProcessTable.snapshot().process(pid: child.pid) == nil)
    }
}
