/// Formats processes as procps `ps aux` does, column for column.
///
/// The columns are USER PID %CPU %MEM VSZ RSS TTY STAT START TIME COMMAND with procps's
/// widths and alignment: numbers right-aligned, names left-aligned, a user name longer than
/// 8 cells cut to 7 and `+`, PID as wide as `/proc/sys/kernel/pid_max` has digits. A value
/// wider than its column pushes the rest of the row right, and the following columns take the
/// space back as soon as they can, as procps does. COMMAND is cut at ``lineWidth``.
///
/// With ``forest`` the rows are arranged like `ps axf`: children under their parent, with
/// ` \_ ` before the command; as procps 4.0.2 draws it, the children of init (pid 1) start at
/// the left edge like init itself.
///
/// ```swift
/// let table = try ProcessTable.snapshot()
/// print(PSListing().render(table.entries, of: table), terminator: "")
/// ```
public struct PSListing: Sendable {
    /// Arrange rows as a tree, like `ps axf`.
    public var forest: Bool
    /// The screen width COMMAND is cut to; `nil` never cuts.
    public var lineWidth: Int?

    /// Creates a listing format.
    public init(forest: Bool = false, lineWidth: Int? = nil) {
        self.forest = forest
        self.lineWidth = lineWidth
    }

    /// The width `ps` would use for standard output: `COLUMNS` when set, else the width of
    /// the terminal on standard output, else no limit (output to a pipe or file is not cut).
    public static var defaultLineWidth: Int? {
        TerminalInfo.columnsVariable
            ?? (TerminalInfo.standardOutputIsTerminal ? TerminalInfo.standardOutputColumns : nil)
    }

    /// The column titles, in order.
    public static let headers = ["USER", "PID", "%CPU", "%MEM", "VSZ", "RSS", "TTY", "STAT", "START", "TIME", "COMMAND"]

    /// The header line and one line per process, each ending in a newline.
    ///
    /// Rows are in the order given (``ProcessTable/entries`` is by pid, like `ps aux`); with
    /// ``forest`` they are regrouped under their parents. `table` provides the snapshot's time
    /// (START shows a time of day for processes started the same day, else a date).
    public func render(_ processes: [ProcessTable.Entry], of table: ProcessTable) -> String {
        let pidWidth = String(ProcFS.pidMax() ?? 32768).count
        let layout = Layout(columns: Self.columns(pidWidth: pidWidth), lineWidth: lineWidth)
        var out = layout.line(Self.headers, cutLast: false)
        let today = LocalTime.day(of: table.takenAt)
        func row(_ entry: ProcessTable.Entry, prefix: String) {
            out += layout.line(Self.cells(entry, today: today, commandPrefix: prefix))
        }
        if forest {
            // procps visits roots from the end of its (parent pid, start) order.
            for root in ProcessTree.forest(of: processes).reversed() {
                Self.walk(root, base: [], hasSibling: false, level: 0, row)
            }
        } else {
            for entry in processes { row(entry, prefix: "") }
        }
        return out
    }

    /// The cells of one row, as `ps aux` prints them before alignment.
    static func cells(_ e: ProcessTable.Entry, today: LocalTime.Day, commandPrefix: String) -> [String] {
        let cpu = e.cpuUsagePerMille
        let mem = e.memoryUsagePerMille
        let seconds = Int(e.cpuTime.components.seconds)
        return [
            userCell(e.user),
            String(e.pid),
            cpu > 999 ? String(cpu / 10) : "\(cpu / 10).\(cpu % 10)",
            padLeft(String(mem / 10), 2) + ".\(mem % 10)",
            String(e.virtualMemoryKiB),
            String(e.residentMemoryKiB),
            e.terminal ?? "?",
            e.stat,
            startCell(e.startTime, today: today),
            padLeft(String(seconds / 60), 3) + ":" + padLeft(String(seconds % 60), 2, with: "0"),
            commandPrefix + e.command,
        ]
    }

    /// A user name cut to 8 cells the procps way (`systemd-timesync` → `systemd+`).
    static func userCell(_ user: String) -> String {
        let name = DisplayText.psEscaped(user)
        guard DisplayText.cells(name) > 8 else { return name }
        return DisplayText.prefix(name, cells: 7) + "+"
    }

    /// START: `HH:MM` if started today, `MonDD` if earlier this year, else the year.
    static func startCell(_ start: Int, today: LocalTime.Day) -> String {
        let day = LocalTime.day(of: start)
        let pattern = day.year != today.year ? "%Y" : day.dayOfYear != today.dayOfYear ? "%b%d" : "%H:%M"
        return LocalTime.format(start, pattern)
    }

    /// Depth-first rows with procps forest prefixes. `base` holds the marks of the
    /// ancestors' columns (`|` where an ancestor has later siblings, blank where not); a
    /// process below the root adds ` \_ `. Children of init stay at init's level, as
    /// procps 4.0.2 draws them (its `ADOPTED` rule).
    private static func walk(
        _ node: ProcessTree, base: [Character], hasSibling: Bool, level: Int,
        _ row: (ProcessTable.Entry, String) -> Void
    ) {
        row(node.process, forestText(level > 0 ? base + [hasSibling ? "+" : "L"] : []))
        let childBase = level > 0 ? base + [hasSibling ? "|" : " "] : []
        for (i, child) in node.children.enumerated() {
            let more = i < node.children.count - 1
            if node.process.pid == 1 {
                walk(child, base: base, hasSibling: more, level: level, row)
            } else {
                walk(child, base: childBase, hasSibling: more, level: level + 1, row)
            }
        }
    }

    private static func forestText(_ prefix: [Character]) -> String {
        prefix.map { mark in
            switch mark {
            case "|": " |  "
            case "+", "L": " \\_ "
            default: "    "
            }
        }.joined()
    }

    private static func padLeft(_ text: String, _ width: Int, with pad: Character = " ") -> String {
        String(repeating: pad, count: max(0, width - text.count)) + text
    }

    /// procps's columns for `ps aux`; PID is as wide as the largest pid can be.
    static func columns(pidWidth: Int) -> [Layout.Column] {
        [
            .init(width: 8, alignment: .left), .init(width: max(3, pidWidth), alignment: .right),
            .init(width: 4, alignment: .right), .init(width: 4, alignment: .right),
            .init(width: 6, alignment: .right), .init(width: 5, alignment: .right),
            .init(width: 8, alignment: .left), .init(width: 4, alignment: .left),
            .init(width: 5, alignment: .right), .init(width: 6, alignment: .right),
            .init(width: 27, alignment: .left),
        ]
    }

    /// procps `show_one_proc`: each column is meant to start one space after the previous
    /// column's nominal width (`correct`); when text ran past it (`actual`), the padding of
    /// the next columns shrinks until the row is back on its grid.
    struct Layout {
        struct Column {
            enum Alignment { case left, right }
            var width: Int
            var alignment: Alignment
        }

        let columns: [Column]
        /// procps widens the screen to the first multiple of its width that fits every column.
        let activeWidth: Int?

        init(columns: [Column], lineWidth: Int?) {
            self.columns = columns
            let needed = columns.dropLast().reduce(0) { $0 + $1.width + 1 } + 3
            activeWidth = lineWidth.map { width in
                let w = max(1, width)
                return (needed + w - 1) / w * w
            }
        }

        /// One line: `cells` aligned on the columns, the last one cut at the screen width
        /// unless `cutLast` is false (procps never cuts the header).
        func line(_ cells: [String], cutLast: Bool = true) -> String {
            var out = ""
            var correct = 0, actual = 0, separator = 0
            for (i, column) in columns.enumerated() {
                var text = cells[i]
                let leftPad = column.alignment == .right ? max(0, column.width - DisplayText.cells(text)) : 0
                var space = correct - actual + leftPad
                if space < 1 { space = separator }
                space = min(space, 144)
                if i == columns.count - 1, cutLast, let activeWidth {
                    text = DisplayText.prefix(text, cells: max(1, activeWidth - actual - space))
                }
                out += String(repeating: " ", count: space) + text
                actual += space + DisplayText.cells(text)
                correct += column.width + 1
                separator = 1
            }
            return out + "\n"
        }
    }
}
