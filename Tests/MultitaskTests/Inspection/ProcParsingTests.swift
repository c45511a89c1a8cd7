import Testing
@testable import Multitask

@Suite("Parsing /proc files")
struct ProcParsingTests {
    @Test("a stat line whose command name holds spaces and parentheses")
    func statWithOddName() throws {
        let line = "4242 (my (odd) name) S 1 4242 4242 34816 4300 4194304 10 0 0 0 250 50 0 0 20 -5 3 0 12345 1000 200 18446744073709551615\n"
        let stat = try #require(ProcStat(Array(line.utf8)))
        #expect(stat.pid == 4242)
        #expect(String(decoding: stat.comm, as: UTF8.self) == "my (odd) name")
        #expect(stat.state == "S")
        #expect(stat.parentPID == 1)
        #expect(stat.processGroupID == 4242)
        #expect(stat.sessionID == 4242)
        #expect(stat.terminalDevice == 34816)
        #expect(stat.foregroundProcessGroupID == 4300)
        #expect(stat.userTicks == 250 && stat.systemTicks == 50)
        #expect(stat.nice == -5)
        #expect(stat.threadCount == 3)
        #expect(stat.startTicks == 12345)
    }

    @Test("truncated or foreign text is not a stat line")
    func statRejects() {
        #expect(ProcStat(Array("4242 (x) S 1 2 3\n".utf8)) == nil)
        #expect(ProcStat(Array("hello".utf8)) == nil)
        #expect(ProcStat([]) == nil)
    }

    @Test("status gives the effective uid and the memory sizes, zero when absent")
    func status() throws {
        let text = "Name:\tsleep\nUid:\t1000\t1001\t1002\t1003\nVmSize:\t    2920 kB\nVmLck:\t       4 kB\nVmRSS:\t    1816 kB\n"
        let status = try #require(ProcStatus(Array(text.utf8)))
        #expect(status.effectiveUID == 1001)
        #expect(status.virtualKiB == 2920)
        #expect(status.residentKiB == 1816)
        #expect(status.lockedKiB == 4)
        let kernelThread = try #require(ProcStatus(Array("Name:\tkthreadd\nUid:\t0\t0\t0\t0\n".utf8)))
        #expect(kernelThread.virtualKiB == 0 && kernelThread.residentKiB == 0)
        #expect(ProcStatus(Array("Name:\tx\n".utf8)) == nil)
    }

    @Test("cmdline splits on NUL and keeps empty arguments")
    func commandLine() {
        #expect(ProcReader.arguments(Array("sleep\u{0}30\u{0}".utf8)) == ["sleep", "30"])
        #expect(ProcReader.arguments(Array("a\u{0}\u{0}b\u{0}".utf8)) == ["a", "", "b"])
        #expect(ProcReader.arguments(Array("rewritten title".utf8)) == ["rewritten title"])
        #expect(ProcReader.arguments([]) == [])
    }

    @Test("terminal device numbers are named like ps names them")
    func terminalNames() {
        func device(_ major: UInt32, _ minor: UInt32) -> Int32 {
            Int32(bitPattern: (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12))
        }
        #expect(TerminalName.name(device: 0, pid: 1) == nil)
        #expect(TerminalName.name(device: device(136, 0), pid: 1) == "pts/0")
        #expect(TerminalName.name(device: device(136, 300), pid: 1) == "pts/300")
        #expect(TerminalName.name(device: device(137, 2), pid: 1) == "pts/258")
        #expect(TerminalName.name(device: device(4, 1), pid: 1) == "tty1")
        #expect(TerminalName.name(device: device(4, 64), pid: 1) == "ttyS0")
        #expect(TerminalName.name(device: device(5, 1), pid: 1) == "console")
    }

    @Test("ps shows control characters and undecodable bytes as ?")
    func psEscaping() {
        #expect(DisplayText.psEscaped("a\tb\u{7f}c\u{85}d") == "a?b?c?d")
        #expect(DisplayText.psEscaped(String(decoding: [0x61, 0xff, 0x62], as: UTF8.self)) == "a?b")
        #expect(DisplayText.psEscaped("héllo ✓") == "héllo ✓")
    }

    @Test("pstree escapes bytes outside printable ASCII in octal and doubles backslashes")
    func pstreeEscaping() {
        #expect(DisplayText.pstreeEscaped(Array("a b".utf8)) == "a b")
        #expect(DisplayText.pstreeEscaped(Array("a\\b".utf8)) == "a\\\\b")
        #expect(DisplayText.pstreeEscaped([0x61, 0x09, 0xc3, 0xa9]) == "a\\011\\303\\251")
    }
}
