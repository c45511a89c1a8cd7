import Glibc
import Testing
@testable import Multitask

@Suite("pstree rendering")
struct PSTreeRendererTests {
    typealias Child = InspectionSupport.Child
    typealias Options = PSTreeOptions

    static func render(_ table: ProcessTable, root: Int32, _ options: Options = Options()) -> String? {
        PSTreeRenderer(options: options).render(table, root: root)
    }

    /// sh(10) running two sleeps and two shells that each run one sleep.
    static let shells = InspectionSupport.table([
        InspectionSupport.entry(pid: 10, parent: 1, name: "sh"),
        InspectionSupport.entry(pid: 11, parent: 10, name: "sleep"),
        InspectionSupport.entry(pid: 12, parent: 10, name: "sleep"),
        InspectionSupport.entry(pid: 13, parent: 10, name: "sh"),
        InspectionSupport.entry(pid: 14, parent: 13, name: "sleep"),
        InspectionSupport.entry(pid: 15, parent: 10, name: "sh"),
        InspectionSupport.entry(pid: 16, parent: 15, name: "sleep"),
    ])

    @Test("identical siblings are merged as N*[...], subtrees included")
    func compact() {
        #expect(Self.render(Self.shells, root: 10) == """
            sh-+-2*[sh---sleep]
               `-2*[sleep]

            """)
    }

    @Test("-p shows name(pid) and merges nothing")
    func pids() {
        #expect(Self.render(Self.shells, root: 10, Options(showPIDs: true)) == """
            sh(10)-+-sh(13)---sleep(14)
                   |-sh(15)---sleep(16)
                   |-sleep(11)
                   `-sleep(12)

            """)
        #expect(Self.render(Self.shells, root: 10, Options(compact: false))?.contains("*[") == false)
    }

    @Test("Unicode line drawing uses box-drawing characters")
    func unicode() {
        #expect(Self.render(Self.shells, root: 10, Options(showPIDs: true, lineDrawing: .unicode)) == """
            sh(10)─┬─sh(13)───sleep(14)
                   ├─sh(15)───sleep(16)
                   ├─sleep(11)
                   └─sleep(12)

            """)
    }

    @Test("a merged subtree with several children closes its bracket on every line, like psmisc")
    func mergedBranches() {
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 1, parent: 0, name: "a"),
            InspectionSupport.entry(pid: 2, parent: 1, name: "b"),
            InspectionSupport.entry(pid: 3, parent: 2, name: "c"),
            InspectionSupport.entry(pid: 4, parent: 2, name: "d"),
            InspectionSupport.entry(pid: 5, parent: 1, name: "b"),
            InspectionSupport.entry(pid: 6, parent: 5, name: "c"),
            InspectionSupport.entry(pid: 7, parent: 5, name: "d"),
        ])
        #expect(Self.render(table, root: 1) == """
            a---2*[b-+-c]
                     `-d]

            """)
    }

    @Test("threads are {name} children, merged unless pids are shown")
    func threads() {
        let threads = (21...23).map { ProcessTable.ThreadEntry(tid: $0, nameBytes: Array("worker-\($0)".utf8)) }
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 20, parent: 1, name: "server", threads: threads),
            InspectionSupport.entry(pid: 30, parent: 20, name: "child"),
        ])
        #expect(Self.render(table, root: 20) == """
            server-+-child
                   `-3*[{server}]

            """)
        #expect(Self.render(table, root: 20, Options(showPIDs: true)) == """
            server(20)-+-child(30)
                       |-{server}(21)
                       |-{server}(22)
                       `-{server}(23)

            """)
        #expect(Self.render(table, root: 20, Options(threadNames: true)) == """
            server-+-child
                   |-{worker-21}
                   |-{worker-22}
                   `-{worker-23}

            """)
        #expect(Self.render(table, root: 20, Options(showThreads: false)) == "server---child\n")
    }

    @Test("siblings sort by name, then uid, then pid; -n sorts by pid")
    func order() {
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 1, parent: 0, name: "init"),
            InspectionSupport.entry(pid: 5, parent: 1, name: "zeta"),
            InspectionSupport.entry(pid: 6, parent: 1, name: "alpha", uid: 1000),
            InspectionSupport.entry(pid: 7, parent: 1, name: "alpha", uid: 0, arguments: ["x"]),
            InspectionSupport.entry(pid: 8, parent: 1, name: "Beta"),
        ])
        let options = Options(showPIDs: true)
        #expect(Self.render(table, root: 1, options)?.split(separator: "\n").map { $0.filter(\.isLetter) }
            == ["initBeta", "alpha", "alpha", "zeta"])
        #expect(Self.render(table, root: 1, options)?.split(separator: "\n")[1] == "        |-alpha(7)")
        let byPID = Self.render(table, root: 1, Options(showPIDs: true, sortByPID: true))
        #expect(byPID?.split(separator: "\n").first == "init(1)-+-zeta(5)")
    }

    @Test("long lines are cut at the width and end with +")
    func truncation() {
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 1, parent: 0, name: "init"),
            InspectionSupport.entry(pid: 2, parent: 1, name: "a-rather-long-name"),
            InspectionSupport.entry(pid: 3, parent: 2, name: "another-long-one"),
        ])
        let cut = Self.render(table, root: 1, Options(width: 20))
        #expect(cut == "init---a-rather-lon+\n")
        #expect(Self.render(table, root: 1, Options(width: nil)) == "init---a-rather-long-name---another-long-one\n")
    }

    @Test("names are escaped like psmisc; a missing root renders nothing")
    func escapingAndMissing() {
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 1, parent: 0, name: "init"),
            InspectionSupport.entry(pid: 2, parent: 1, name: "tab\there"),
        ])
        #expect(Self.render(table, root: 1) == "init---tab\\011here\n")
        #expect(Self.render(table, root: 99) == nil)
    }

    @Test("a tree of children started by the test renders as psmisc pstree renders it")
    func liveTree() throws {
        let root = Child(["/bin/sh", "-c", "/bin/sleep 30 & /bin/sleep 30 & /bin/sh -c '/bin/sleep 30 & /bin/sleep 30 & wait' & wait"], newGroup: true)
        defer { root.stop() }
        let table = try #require(try InspectionSupport.waitForTable(includingThreads: true) { table in
            let kids = table.children(of: root.pid)
            guard kids.count == 3, let inner = kids.first(where: { $0.name == "sh" }) else { return false }
            return kids.filter { $0.name == "sleep" }.count == 2
                && table.children(of: inner.pid).filter { $0.name == "sleep" }.count == 2
        }, "the process tree never formed")
        let inner = try #require(table.children(of: root.pid).first { $0.name == "sh" })
        let outerSleeps = table.children(of: root.pid).filter { $0.name == "sleep" }.map(\.pid).sorted()
        let innerSleeps = table.children(of: inner.pid).map(\.pid).sorted()

        let compact = try #require(Self.render(table, root: root.pid))
        #expect(compact == """
            sh-+-sh---2*[sleep]
               `-2*[sleep]

            """)
        let withPIDs = try #require(Self.render(table, root: root.pid, Options(showPIDs: true)))
        let r = "sh(\(root.pid))"
        let pad = String(repeating: " ", count: r.count)
        let i = "sh(\(inner.pid))"
        let ipad = String(repeating: " ", count: i.count)
        #expect(withPIDs == """
            \(r)-+-\(i)-+-sleep(\(innerSleeps[0]))
            \(pad) | \(ipad) `-sleep(\(innerSleeps[1]))
            \(pad) |-sleep(\(outerSleeps[0]))
            \(pad) `-sleep(\(outerSleeps[1]))

            """)

        guard let pstree = InspectionSupport.toolPath("pstree") else {
            print("note: psmisc `pstree` is not installed; skipped the comparison with it (apt-get install psmisc)")
            return
        }
        let cases: [([String], Options)] = [
            ([], Options()),
            (["-p"], Options(showPIDs: true)),
            (["-c"], Options(compact: false)),
            (["-U"], Options(lineDrawing: .unicode)),
            (["-p", "-U"], Options(showPIDs: true, lineDrawing: .unicode)),
            (["-p", "-n"], Options(showPIDs: true, sortByPID: true)),
        ]
        for (arguments, options) in cases {
            let (status, theirs) = try InspectionSupport.run(pstree, arguments + [String(root.pid)])
            #expect(status == 0)
            #expect(Self.render(table, root: root.pid, options) == theirs, "pstree \(arguments.joined(separator: " "))")
        }
    }
}
