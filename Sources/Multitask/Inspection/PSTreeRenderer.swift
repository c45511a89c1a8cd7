/// Draws a process tree the way psmisc `pstree` does, character for character.
///
/// Siblings are sorted by name (then user id, then pid), or by pid with
/// ``PSTreeOptions/sortByPID``. With ``PSTreeOptions/compact``, identical sibling subtrees
/// are merged: two `sleep` children print as `2*[sleep]`, two shells each running one
/// `sleep` as `2*[sh---sleep]`. Threads show as `{name}` children (`N*[{name}]` when merged).
/// A process whose parent is not in the table is drawn under init, as psmisc does.
///
/// ```swift
/// let table = try ProcessTable.snapshot(includingThreads: true)
/// let renderer = PSTreeRenderer(options: PSTreeOptions(showPIDs: true))
/// print(renderer.render(table, root: ProcessTable.currentPID) ?? "", terminator: "")
/// // multitask(4242)-+-sh(4250)---sleep(4251)
/// //                 `-{multitask}(4243)
/// ```
public struct PSTreeRenderer: Sendable {
    /// How the tree is drawn.
    public var options: PSTreeOptions

    /// Creates a renderer.
    public init(options: PSTreeOptions = PSTreeOptions()) {
        self.options = options
    }

    /// The tree of `root` (init by default) and its descendants, one line per row, each
    /// ending in a newline; `nil` if `root` is not in the table.
    public func render(_ table: ProcessTable, root: Int32 = 1) -> String? {
        guard let entry = table.process(pid: root) else { return nil }
        let orphans = root == 1
            ? table.entries.filter { $0.pid != 1 && $0.parentPID != 0 && table.process(pid: $0.parentPID) == nil }
            : []
        var seen: Set<Int32> = []
        let tree = node(entry, table: table, extraChildren: orphans, seen: &seen)
        var printer = Printer(options: options)
        printer.dump(tree, level: 0, repeats: 1, leaf: true, last: true, closing: 0)
        return String(decoding: printer.output, as: UTF8.self)
    }

    /// One node of psmisc's tree: a process or a thread.
    struct Node {
        var name: [UInt8]
        var pid: Int32
        var uid: UInt32
        var children: [Node]

        /// psmisc `tree_equal`: same name and pairwise-equal children.
        func sameShape(as other: Node) -> Bool {
            name == other.name && children.count == other.children.count
                && zip(children, other.children).allSatisfy { $0.sameShape(as: $1) }
        }
    }

    private func node(_ entry: ProcessTable.Entry, table: ProcessTable, extraChildren: [ProcessTable.Entry], seen: inout Set<Int32>) -> Node {
        seen.insert(entry.pid)
        var children: [Node] = []
        for child in table.children(of: entry.pid) + extraChildren where !seen.contains(child.pid) {
            children.append(node(child, table: table, extraChildren: [], seen: &seen))
        }
        if options.showThreads {
            for thread in entry.threads {
                let name = options.threadNames ? thread.nameBytes : entry.nameBytes
                children.append(Node(name: Array("{".utf8) + name + Array("}".utf8), pid: thread.tid, uid: entry.uid, children: []))
            }
        }
        if options.sortByPID {
            children.sort { $0.pid < $1.pid }
        } else {
            children.sort {
                if $0.name != $1.name { return $0.name.lexicographicallyPrecedes($1.name) }
                return $0.uid != $1.uid ? $0.uid < $1.uid : $0.pid < $1.pid
            }
        }
        return Node(name: entry.nameBytes, pid: entry.pid, uid: entry.uid, children: children)
    }

    /// psmisc's `dump_tree` and `out_char`: tracks the column of each level's branch point
    /// (`width`) and whether a level still has siblings to draw (`more`).
    struct Printer {
        let compact: Bool
        let showPIDs: Bool
        let cutAt: Int?
        let symbols: (empty: String, branch: String, vertical: String, last: String, single: String, first: String)
        var output: [UInt8] = []
        /// psmisc's `cur_x`: one more than the characters printed on this line.
        var column = 1
        var width: [Int] = []
        var more: [Bool] = []

        init(options: PSTreeOptions) {
            showPIDs = options.showPIDs
            compact = options.compact && !options.showPIDs
            cutAt = options.width
            switch options.lineDrawing {
            case .ascii: symbols = ("  ", "|-", "| ", "`-", "---", "-+-")
            case .unicode: symbols = ("  ", "├─", "│ ", "└─", "───", "─┬─")
            }
        }

        mutating func put(_ text: String) {
            for scalar in text.unicodeScalars {
                column += 1
                let bytes = Array(String(scalar).utf8)
                if let cutAt, column > cutAt {
                    // psmisc prints '+' for every byte of the first character past the edge.
                    if column == cutAt + 1 { output += Array(repeating: UInt8(ascii: "+"), count: bytes.count) }
                } else {
                    output += bytes
                }
            }
        }

        mutating func newline() {
            output.append(UInt8(ascii: "\n"))
            column = 1
        }

        mutating func dump(_ node: Node, level: Int, repeats: Int, leaf: Bool, last: Bool, closing: Int) {
            if !leaf {
                for lvl in 0..<level {
                    put(String(repeating: " ", count: width[lvl] + 1))
                    if lvl == level - 1 {
                        put(last ? symbols.last : symbols.branch)
                    } else {
                        put(more[lvl + 1] ? symbols.vertical : symbols.empty)
                    }
                }
            }
            var added = 0
            if repeats > 1 {
                let count = String(repeats)
                added = count.count + 2
                put(count + "*[")
            }
            let name = DisplayText.pstreeEscaped(node.name)
            put(name)
            let nameEnd = column
            if showPIDs { put("(\(node.pid))") }
            if node.children.isEmpty {
                put(String(repeating: "]", count: closing))
                newline()
            }
            while width.count <= level { width.append(0); more.append(false) }
            more[level] = !last
            width[level] = DisplayText.cells(name) + column - nameEnd + added
            if let cutAt, column >= cutAt {
                if !node.children.isEmpty {
                    put(symbols.first + "+")
                    newline()
                }
                return
            }
            var children = node.children
            var i = 0
            while i < children.count {
                let child = children[i]
                var count = 0
                if compact {
                    var j = i + 1
                    while j < children.count {
                        if child.sameShape(as: children[j]) {
                            children.remove(at: j)
                            count += 1
                        } else {
                            j += 1
                        }
                    }
                }
                let isLast = i == children.count - 1
                if i == 0 { put(isLast ? symbols.single : symbols.first) }
                dump(child, level: level + 1, repeats: count + 1, leaf: i == 0, last: isLast, closing: closing + (count > 0 ? 1 : 0))
                i += 1
            }
        }
    }
}
