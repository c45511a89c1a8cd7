import CShim
import Glibc
import Testing
@testable import Multitask

@Suite("A crash record is read as hostile input")
struct CrashRecordTests {
    @Test("garbage counts, module indices and unterminated paths give a bounded report")
    func garbageRecord() throws {
        let record = try #require(CrashRecord())
        let raw = UnsafeMutableRawPointer(record.pointer)
        let layout = MemoryLayout<cshim_crash_record>.self
        for seed in 0..<200 {
            var generator = SplitMix64(state: UInt64(seed))
            for offset in 0..<layout.size { raw.storeBytes(of: UInt8.random(in: 0...255, using: &generator), toByteOffset: offset, as: UInt8.self) }
            raw.storeBytes(of: UInt32(2), toByteOffset: layout.offset(of: \.state)!, as: UInt32.self)
            let report = try #require(record.read())
            #expect(report.recordedFrames.count <= Int(CSHIM_CRASH_FRAME_CAPACITY))
            #expect((report.message?.unicodeScalars.count ?? 0) <= Int(CSHIM_CRASH_MESSAGE_CAPACITY))
            // Paths the child wrote are only compared with this process's files: none of
            // these names one, so no frame gets a symbol and nothing is opened.
            #expect(report.frames.allSatisfy { $0.symbol == nil })
        }
    }

    @Test("a record whose state is not 1 or 2 gives no report")
    func incompleteRecord() throws {
        let record = try #require(CrashRecord())
        for state: UInt32 in [0, 3, .max] {
            record.pointer.pointee.state = state
            #expect(record.read() == nil)
        }
    }

    @Test("a malformed ELF file gives an empty symbol table, never a trap")
    func malformedElf() throws {
        let path = "/tmp/multitask-elf-\(getpid())"
        defer { unlink(path) }
        for seed in 0..<100 {
            var generator = SplitMix64(state: UInt64(seed) &+ 77)
            var bytes = (0..<(256 + seed * 7)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes.replaceSubrange(0..<6, with: [0x7F, 0x45, 0x4C, 0x46, 2, 1])
            // Section and program header tables somewhere in (or past) the file.
            let headerOffset = UInt64(seed % 3 == 0 ? 64 : Int.random(in: 0...600, using: &generator))
            withUnsafeBytes(of: headerOffset.littleEndian) { bytes.replaceSubrange(0x28..<0x30, with: $0) }
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            let table = ElfSymbols.read(path: path)
            _ = table.symbol(atOffset: UInt64.random(in: 0...UInt64.max, using: &generator))
        }
        #expect(ElfSymbols.read(path: "/nonexistent").symbol(atOffset: 0) == nil)
    }

    /// Where `addOneChecked`'s overflow check traps: its `ud2` (the first in its code), as an
    /// offset from this executable's load address. x86-64 only (AArch64 traps with `brk`).
    static func overflowTrapOffset() throws -> UInt64 {
        var entry = unsafeBitCast(addOneChecked, to: UnsafeRawPointer.self)
        // A debug build's C entry point is a thunk, `push %rbp; mov %rsp,%rbp; call <closure>`:
        // the check is in the closure it calls. An optimized one has the check itself.
        let thunk = UnsafeRawBufferPointer(start: entry, count: 9)
        if Array(thunk.prefix(5)) == [0x55, 0x48, 0x89, 0xE5, 0xE8] {
            entry += 9 + Int(Int32(littleEndian: thunk.loadUnaligned(fromByteOffset: 5, as: Int32.self)))
        }
        let code = UnsafeRawBufferPointer(start: entry, count: 64)
        let trap = try #require((0..<63).first { code[$0] == 0x0F && code[$0 + 1] == 0x0B }, "no ud2 in the checked addition")
        // The load address: where the executable's first mapping (file offset 0) starts.
        let maps = String(decoding: try ProcFS.readFile("/proc/self/maps"), as: UTF8.self)
        let path = try #require(ProcFS.readLink("/proc/self/exe"))
        let line = try #require(maps.split(separator: "\n").first { $0.hasSuffix(" " + path) && $0.split(separator: " ")[2] == "00000000" })
        let base = try #require(UInt(line.prefix { $0 != "-" }, radix: 16))
        return UInt64(UInt(bitPattern: entry) - base) + UInt64(trap)
    }

    @Test("the debugging information names the check a trap instruction belongs to, and its line")
    func failureAtTrap() throws {
        #if arch(x86_64)
        let offset = try Self.overflowTrapOffset()
        let calls = ElfFile.withMapped(path: "/proc/self/exe") { DwarfInlinedCalls.at(offset: offset, in: $0) } ?? []
        #expect(calls.last?.name == "Swift runtime failure: arithmetic overflow", "\(calls)")
        #expect(calls.contains { $0.callFile == "CrashRecordTests.swift" && $0.callLine == UInt64(addOneCheckedLine) }, "\(calls)")
        let report = CrashReport(signal: SIGILL, message: nil, recordedFrames: [.init(path: CommandLine.arguments[0], offset: offset)])
        #expect(report.message == "CrashRecordTests.swift:\(addOneCheckedLine): Swift runtime failure: arithmetic overflow", "\(report)")
        #expect(CrashReport(signal: SIGSEGV, message: nil, recordedFrames: report.recordedFrames).message == nil)
        #endif
    }

    @Test("malformed debugging information gives no calls or some, never a trap")
    func malformedDwarf() throws {
        #if arch(x86_64)
        let offset = try Self.overflowTrapOffset()
        let outcome = ElfFile.withMapped(path: "/proc/self/exe") { file -> (intact: [DwarfInlinedCalls.Call], lookups: Int)? in
            guard let real = DwarfSections(file) else { return nil }
            // The unit holding the checked addition, copied to be corrupted.
            let address = offset + file.loadBias
            var unitStart = 0
            var picked: [UInt8]?
            while picked == nil, var unit = try? DwarfUnit(real, at: unitStart) {
                if unit.holdsCode, let root = try? unit.readFirstEntry(), (try? unit.contains(root, address: address)) == true {
                    picked = Array(real.info[unitStart..<unit.end])
                }
                unitStart = unit.end
            }
            guard let picked else { return nil }
            func lookUp(_ info: [UInt8], at address: UInt64) -> [DwarfInlinedCalls.Call] {
                info.withUnsafeBytes { info in
                    DwarfInlinedCalls.at(address: address, in: DwarfSections(
                        info: info, abbreviations: real.abbreviations, strings: real.strings, lineStrings: real.lineStrings,
                        stringOffsets: real.stringOffsets, addresses: real.addresses, ranges: real.ranges,
                        rangeLists: real.rangeLists, lines: real.lines))
                }
            }
            let intact = lookUp(picked, at: address)
            var generator = SplitMix64(state: 91)
            for seed in 0..<300 {
                var info = picked
                for _ in 0..<(1 + seed % 8) { info[Int.random(in: 0..<info.count, using: &generator)] = .random(in: 0...255, using: &generator) }
                if seed % 5 == 0 { info.removeLast(Int.random(in: 0..<info.count, using: &generator)) }
                _ = lookUp(info, at: seed % 2 == 0 ? address : .random(in: 0...UInt64.max, using: &generator))
            }
            return (intact, 300)
        }
        let checked = try #require(outcome, "no unit of the test bundle's debugging information holds the checked addition")
        #expect(checked.intact.last?.name == "Swift runtime failure: arithmetic overflow", "\(checked.intact)")
        #expect(checked.lookups == 300)
        #endif
        #expect(ElfFile.withMapped(path: "/nonexistent") { _ in true } == nil)
    }
}

/// An addition whose overflow check the compiler turns into a trap instruction in every build
/// mode, in a function of its own (a C-convention closure) so that a test can find the trap.
private let addOneChecked: @convention(c) (Int) -> Int = { $0 + 1 }
private let addOneCheckedLine = #line - 1
