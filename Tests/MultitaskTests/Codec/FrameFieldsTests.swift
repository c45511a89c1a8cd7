import Testing
@testable import Multitask

@Suite("Frame fields", .timeLimit(.minutes(1)))
struct FrameFieldsTests {
    @Test("fields are appended little-endian and read back in order")
    func roundTrip() {
        var bytes: [UInt8] = []
        bytes.appendField(UInt64(0x0102_0304_0506_0708))
        bytes.appendField(Int32(-2))
        bytes.append(contentsOf: [7, 7])
        #expect(bytes.prefix(2) == [0x08, 0x07])
        bytes.withUnsafeBytes { raw in
            var fields = FrameFields(raw)
            #expect(fields.read(UInt64.self) == 0x0102_0304_0506_0708)
            #expect(fields.read(Int32.self) == -2)
            #expect(Array(fields.rest) == [7, 7])
        }
    }

    @Test("a field longer than what is left reads as nil and consumes nothing")
    func shortBody() {
        [UInt8]([1, 0, 0, 0, 2, 0]).withUnsafeBytes { raw in
            var fields = FrameFields(raw)
            #expect(fields.read(UInt32.self) == 1)
            #expect(fields.read(UInt32.self) == nil)
            #expect(fields.offset == 4)
            #expect(fields.read(UInt16.self) == 2)
            #expect(fields.read(UInt8.self) == nil)
            #expect(fields.rest.isEmpty)
        }
    }
}
