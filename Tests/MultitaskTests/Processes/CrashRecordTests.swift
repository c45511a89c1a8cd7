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
}
