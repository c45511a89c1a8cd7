import ArgumentParser
import Multitask

/// `multitask ps`: the process table, formatted like procps `ps aux`.
struct PSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps",
        abstract: "List processes like `ps aux`, read from /proc.",
        discussion: """
            Columns and formatting follow procps `ps aux`: USER PID %CPU %MEM VSZ RSS TTY STAT \
            START TIME COMMAND. %CPU is CPU time over the process's lifetime and %MEM is resident \
            memory over MemTotal, both as `ps` computes them. STAT is the kernel's state letter \
            (R running or runnable, S sleeping, D waiting for I/O, T stopped, Z zombie, I idle \
            kernel thread) followed by `<` high priority, `N` low priority, `L` locked pages, \
            `s` session leader, `l` multi-threaded, `+` foreground.

            --tree groups processes under their parents with ` \\_ ` like `ps auxf`; as there, \
            the children of init (pid 1) start at the left edge.

            --pid and --children-of select processes (repeat them; a process matching any is \
            shown). With no selection every process is listed. Exits with status 1 when nothing \
            matches, like `ps`.

            --json prints one JSON array: each process with its numbers, STAT and its place in \
            the five-state model (new, ready, running, waiting, terminated); with --tree each \
            object holds its children.
            """
    )

    @Flag(help: "Show children under their parents, like `ps axf`.")
    var tree = false

    @Option(name: .customLong("pid"), help: ArgumentHelp("Show the process with this id (repeatable).", valueName: "pid"))
    var pids: [Int32] = []

    @Option(name: .customLong("children-of"), help: ArgumentHelp("Show the children of this process (repeatable).", valueName: "pid"))
    var parents: [Int32] = []

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Flag(name: [.customShort("w"), .long], help: "Do not cut COMMAND at the terminal width.")
    var wide = false

    func run() throws {
        let table = try ProcessTable.snapshot()
        let selected = pids.isEmpty && parents.isEmpty
            ? table.entries
            : table.entries.filter { pids.contains($0.pid) || parents.contains($0.parentPID) }
        if json {
            let records = tree
                ? ProcessTree.forest(of: selected).map { PSRecord(tree: $0) }
                : selected.map { PSRecord($0, children: nil) }
            print(JSONValue.array(records.map(\.json)).rendered())
        } else {
            let listing = PSListing(forest: tree, lineWidth: wide ? nil : PSListing.defaultLineWidth)
            print(listing.render(selected, of: table), terminator: "")
        }
        if selected.isEmpty { throw ExitCode(1) }
    }
}
