/// How ``PSTreeRenderer`` draws a process tree; the defaults are psmisc `pstree`'s.
public struct PSTreeOptions: Sendable, Hashable {
    /// The characters that draw the branches.
    public enum LineDrawing: Sendable, Hashable {
        /// `-+-`, `|-`, `` `- `` (psmisc `-A`).
        case ascii
        /// `─┬─`, `├─`, `└─` (psmisc `-U`).
        case unicode

        /// psmisc's choice: Unicode when standard output is a terminal and the locale is
        /// UTF-8, ASCII otherwise (pipes and files get ASCII).
        public static var automatic: LineDrawing {
            TerminalInfo.standardOutputIsTerminal && TerminalInfo.localeUsesUTF8 ? .unicode : .ascii
        }
    }

    /// Show each process's pid after its name, `name(pid)` (psmisc `-p`). Implies no
    /// compaction, as in psmisc.
    public var showPIDs: Bool
    /// Merge identical sibling subtrees into `N*[subtree]` (psmisc's default; `-c` turns it off).
    public var compact: Bool
    /// The branch characters.
    public var lineDrawing: LineDrawing
    /// Cut lines at this many columns, ending them with `+`; `nil` never cuts (psmisc `-l`).
    public var width: Int?
    /// Show threads as `{name}` children of their process (psmisc's default; `-T` hides them).
    /// Needs a snapshot taken with `includingThreads: true`.
    public var showThreads: Bool
    /// Show each thread's own name instead of its process's name (psmisc `-t`).
    public var threadNames: Bool
    /// Order siblings by pid instead of by name (psmisc `-n`).
    public var sortByPID: Bool

    /// Creates options; every default is psmisc's.
    public init(
        showPIDs: Bool = false, compact: Bool = true, lineDrawing: LineDrawing = .ascii,
        width: Int? = 132, showThreads: Bool = true, threadNames: Bool = false, sortByPID: Bool = false
    ) {
        self.showPIDs = showPIDs
        self.compact = compact
        self.lineDrawing = lineDrawing
        self.width = width
        self.showThreads = showThreads
        self.threadNames = threadNames
        self.sortByPID = sortByPID
    }

    /// psmisc's line width: `COLUMNS` when set, else the width of the terminal on standard
    /// output, else 132.
    public static var defaultWidth: Int {
        TerminalInfo.columnsVariable ?? TerminalInfo.standardOutputColumns ?? 132
    }
}
