import Testing
@testable import Multitask

/// The LEB128 readers the crash report's DWARF lookup decodes every attribute with.
@Suite("DwarfCursor") struct DwarfCursorTests {
    @Test("LEB128 numbers decode as the DWARF standard's examples, and a cut-off one throws")
    func leb128() throws {
        func read<T>(_ bytes: [UInt8], _ reader: (inout DwarfCursor) throws(DwarfMalformed) -> T) throws -> (T, Int) {
            try bytes.withUnsafeBytes { buffer in
                var cursor = DwarfCursor(buffer, at: 0)
                return (try reader(&cursor), cursor.offset)
            }
        }
        for (bytes, value) in [([0x02], 2), ([0x7F], 127), ([0x80, 0x01], 128), ([0xE5, 0x8E, 0x26], 624_485)] as [([UInt8], UInt64)] {
            let (decoded, end) = try read(bytes) { (cursor) throws(DwarfMalformed) in try cursor.uleb() }
            #expect(decoded == value && end == bytes.count)
        }
        for (bytes, value) in [([0x02], 2), ([0x7E], -2), ([0xFF, 0x00], 127), ([0x81, 0x7F], -127),
                               ([0x80, 0x7F], -128), ([0xC0, 0xBB, 0x78], -123_456)] as [([UInt8], Int64)] {
            let (decoded, end) = try read(bytes) { (cursor) throws(DwarfMalformed) in try cursor.sleb() }
            #expect(decoded == value && end == bytes.count)
        }
        #expect(throws: DwarfMalformed.self) { _ = try read([0x80, 0x80]) { (cursor) throws(DwarfMalformed) in try cursor.uleb() } }
    }
}
