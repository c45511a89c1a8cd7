import ArgumentParser
import Multitask

/// `multitask pstree`: the process tree, drawn like psmisc `pstree`.
struct PSTreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pstree",
        abstract: "Show the process tree like psmisc `pstree`, read from /proc.",
        discussion: """
            Draws PID (default 1, init) and its descendants. Identical sibling subtrees are \
            merged, so two `sleep` children print as `2*[sleep]`; threads print as `{name}`. \
            Siblings are sorted by name. Lines are cut at the terminal width (COLUMNS, or 132 \
            when not a terminal) and end with `+` when cut.

            Unicode line drawing is used when standard output is a terminal and the locale is \
            UTF-8, ASCII otherwise, as psmisc does.

            --json prints the tree as one JSON object instead: the root process with the fields \
            of `multitask ps --json` and, under "children", its children's objects, oldest \
            first, down to the leaves. Drawing options do not apply; with -T each object's \
            "threadNames" is left out.
            """
    )

    /// The two line-drawing flags; the last one given wins, as in psmisc.
    enum Drawing: EnumerableFlag {
        case ascii, unicode

        static func name(for value: Drawing) -> NameSpecification {
            switch value {
            case .ascii: [.customShort("A"), .long]
            case .unicode: [.customShort("U"), .long]
            }
        }

        static func help(for value: Drawing) -> ArgumentHelp? {
            switch value {
            case .ascii: "Draw lines with ASCII characters."
            case .unicode: "Draw lines with Unicode box-drawing characters."
            }
        }
    }

    @Argument(help: ArgumentHelp("The process at the root of the tree.", valueName: "pid"))
    var pid: Int32 = 1

    @Flag(name: [.customShort("p"), .customLong("show-pids")], help: "Show pids, as name(pid); implies -c.")
    var showPIDs = false

    @Flag(name: [.customShort("c"), .customLong("compact-not")], help: "Do not merge identical subtrees.")
    var noCompact = false

    @Flag(exclusivity: .chooseLast)
    var drawing: Drawing?

    @Flag(name: [.customShort("l"), .long], help: "Do not cut long lines.")
    var long = false

    @Flag(name: [.customShort("n"), .customLong("numeric-sort")], help: "Sort siblings by pid instead of by name.")
    var numericSort = false

    @Flag(name: [.customShort("T"), .customLong("hide-threads")], help: "Hide threads, show only processes.")
    var hideThreads = false

    @Flag(name: [.customShort("t"), .customLong("thread-names")], help: "Show each thread's own name.")
    var threadNames = false

    @Flag(help: "Print the tree as JSON instead of drawing it.")
    var json = false

    func run() throws {
        if json {
            let table = try ProcessTable.snapshot(includingThreads: !hideThreads)
            guard let tree = table.tree(rootedAt: pid) else { throw NoSuchProcess(pid: pid) }
            print(PSRecord(tree: tree, threadNames: !hideThreads).json.rendered())
            return
        }
        let table = try ProcessTable.snapshot(includingThreads: !hideThreads)
        let options = PSTreeOptions(
            showPIDs: showPIDs,
            compact: !noCompact,
            lineDrawing: drawing.map { $0 == .unicode ? .unicode : .ascii } ?? .automatic,
            width: long ? nil : PSTreeOptions.defaultWidth,
            showThreads: !hideThreads,
            threadNames: threadNames,
            sortByPID: numericSort
        )
        guard let text = PSTreeRenderer(options: options).render(table, root: pid) else {
            throw NoSuchProcess(pid: pid)
        }
        print(text, terminator: "")
    }
}

/// The root pid given to `multitask pstree` is not running (reported as `Error: …`, status 1).
struct NoSuchProcess: Error, CustomStringConvertible {
    let pid: Int32
    var description: String { "no process with pid \(pid)" }
}
