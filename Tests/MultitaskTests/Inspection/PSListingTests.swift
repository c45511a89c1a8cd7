import Glibc
import Testing
@testable import Multitask

@Suite("ps aux listing")
struct PSListingTests {
    typealias Child = InspectionSupport.Child

    static let layout = PSListing.Layout(columns: PSListing.columns(pidWidth: 5), lineWidth: nil)

    @Test("the header and rows are laid out like procps, overflow included")
    func layoutLikeProcps() {
        #expect(Self.layout.line(PSListing.headers, cutLast: false)
            == "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n")
        // Rows copied from `ps aux` on Debian 12 (procps-ng 4.0.2): a wide RSS, a wide VSZ
        // and RSS, and a %CPU that fills its column push the row right and it recovers.
        #expect(Self.layout.line(["root", "1", "0.4", " 0.0", "48724", "17788", "?", "S<Ll", "00:00", "  0:05", "/process_api"])
            == "root         1  0.4  0.0  48724 17788 ?        S<Ll 00:00   0:05 /process_api\n")
        #expect(Self.layout.line(["root", "1616", "2.3", " 0.4", "886992", "121044", "?", "Sl", "00:21", "  0:00", "swift-test"])
            == "root      1616  2.3  0.4 886992 121044 ?       Sl   00:21   0:00 swift-test\n")
        #expect(Self.layout.line(["root", "3089", "10.4", " 0.5", "1099992", "127996", "?", "Sl", "00:21", "  0:00", "swift-build"])
            == "root      3089 10.4  0.5 1099992 127996 ?      Sl   00:21   0:00 swift-build\n")
        #expect(Self.layout.line(["root", "1695", "1700", " 0.0", "443512", "24364", "?", "Sl", "00:21", "  0:02", "xctest"])
            == "root      1695 1700  0.0 443512 24364 ?        Sl   00:21   0:02 xctest\n")
    }

    @Test("COMMAND is cut at the line width, other columns are not")
    func lineWidth() {
        let layout = PSListing.Layout(columns: PSListing.columns(pidWidth: 5), lineWidth: 80)
        let cells = ["root", "1", "0.0", " 0.0", "1", "1", "?", "S", "00:00", "  0:00", String(repeating: "x", count: 200)]
        let line = layout.line(cells)
        #expect(line.count == 81 && line.hasSuffix("x\n"))
        // A screen narrower than the columns is widened to a multiple of itself, as procps does.
        let narrow = PSListing.Layout(columns: PSListing.columns(pidWidth: 5), lineWidth: 40).line(cells)
        #expect(narrow.count == 81)
    }

    @Test("cells are formatted as ps formats them")
    func cells() {
        #expect(PSListing.userCell("root") == "root")
        #expect(PSListing.userCell("systemd-timesync") == "systemd+")
        #expect(PSListing.userCell("12345678") == "12345678")

        let entry = InspectionSupport.entry(pid: 7, parent: 1, name: "busy", arguments: ["busy", "--flag"])
        let today = LocalTime.day(of: 1_700_000_500)
        let cells = PSListing.cells(entry, today: today, commandPrefix: "")
        #expect(cells[0] == "root" && cells[1] == "7")
        #expect(cells[3] == " 0.0")
        #expect(cells[7] == "Ss")
        #expect(cells[9] == "  0:00")
        #expect(cells[10] == "busy --flag")
    }

    @Test("START is a time today, a date this year, else a year")
    func startColumn() {
        let noon = 1_688_213_250  // 2023-07-01 12:07:30 UTC: no time zone puts midnight a minute before
        let today = LocalTime.day(of: noon)
        let sameDay = PSListing.startCell(noon - 60, today: today)
        #expect(sameDay.count == 5 && sameDay.contains(":"))
        let earlier = PSListing.startCell(noon - 40 * 86_400, today: today)
        #expect(earlier.count == 5 && !earlier.contains(":") && earlier.first!.isLetter)
        #expect(PSListing.startCell(noon - 400 * 86_400, today: today) == "2022")
    }

    @Test("forest rows are indented like ps axf, init's children stay at init's level")
    func forest() {
        let table = InspectionSupport.table([
            InspectionSupport.entry(pid: 1, parent: 0, name: "init", startTicks: 1),
            InspectionSupport.entry(pid: 2, parent: 0, name: "kthreadd", startTicks: 1),
            InspectionSupport.entry(pid: 3, parent: 2, name: "kworker", startTicks: 2),
            InspectionSupport.entry(pid: 10, parent: 1, name: "daemon", startTicks: 5, arguments: ["daemon"]),
            InspectionSupport.entry(pid: 11, parent: 10, name: "worker", startTicks: 6, arguments: ["worker"]),
            InspectionSupport.entry(pid: 13, parent: 11, name: "leaf", startTicks: 8, arguments: ["leaf"]),
            InspectionSupport.entry(pid: 12, parent: 10, name: "worker", startTicks: 7, arguments: ["worker", "2"]),
        ])
        let text = PSListing(forest: true).render(table.entries, of: table)
        let lines = text.split(separator: "\n")
        let offset = lines[0].distance(from: lines[0].startIndex, to: lines[0].firstRange(of: "COMMAND")!.lowerBound)
        let commands = lines.dropFirst().map { String($0.dropFirst(offset)) }
        #expect(commands == [
            "[kthreadd]",
            " \\_ [kworker]",
            "[init]",
            "daemon",
            " \\_ worker",
            " |   \\_ leaf",
            " \\_ worker 2",
        ])
    }

    @Test("rows for the test's children match ps u and ps uf, %CPU aside")
    func matchesPS() throws {
        guard let ps = InspectionSupport.toolPath("ps") else {
            Issue.record("procps `ps` is not installed; install it with `apt-get install procps`")
            return
        }
        let lone = Child(["/bin/sleep", "30"])
        let shell = Child(["/bin/sh", "-c", "/bin/sleep 30 & /bin/sleep 31 & wait"], newGroup: true)
        defer { lone.stop(); shell.stop() }
        let table = try #require(try InspectionSupport.waitForTable { table in
            table.process(pid: lone.pid)?.name == "sleep"
                && table.children(of: shell.pid).filter { $0.name == "sleep" }.count == 2
        })
        let selected = ([lone.pid, shell.pid] + table.children(of: shell.pid).map(\.pid)).compactMap { table.process(pid: $0) }
        let pidList = selected.map { String($0.pid) }.joined(separator: ",")

        for forest in [false, true] {
            let (status, theirs) = try InspectionSupport.run(ps, [forest ? "uf" : "u", "-p", pidList])
            #expect(status == 0)
            let ours = PSListing(forest: forest).render(selected, of: table)
            let theirLines = theirs.split(separator: "\n").map(String.init)
            let ourLines = ours.split(separator: "\n").map(String.init)
            #expect(ourLines.first == theirLines.first)
            #expect(ourLines.count == theirLines.count)
            for (our, their) in zip(ourLines, theirLines).dropFirst() {
                let a = our.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true)
                let b = their.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true)
                #expect(a.count == 11 && b.count == 11)
                #expect(Array(a.prefix(2)) == Array(b.prefix(2)), "USER PID: \(our) | \(their)")
                #expect(Array(a.dropFirst(3)) == Array(b.dropFirst(3)), "\(our)\n\(their)")
                if a[2] == b[2] { #expect(our == their) }
            }
        }
    }
}
