/// The frame kinds between a pool and its workers, in ``FrameBuffer``s with
/// ``FrameHeader/pool`` framing.
///
/// Parent → worker: ``defineType`` (header: type number; body: mangled name, sent once per
/// worker before the first task of that type), ``task`` (header: type number; body: the
/// encoded task), ``stop`` (finish what was sent, then exit). Worker → parent, one per task
/// and in task order: ``success`` (body: the encoded output) or ``failure`` (body: error type,
/// a zero byte, description).
enum PoolWire {
    static let defineType: UInt8 = 1
    static let task: UInt8 = 2
    static let stop: UInt8 = 3
    static let success: UInt8 = 10
    static let failure: UInt8 = 11

    /// Reads the header word at the front of a frame body; nil if the body is too short.
    static func header(of body: UnsafeRawBufferPointer) -> (UInt32, UnsafeRawBufferPointer)? {
        var fields = FrameFields(body)
        guard let value = fields.read(UInt32.self) else { return nil }
        return (value, fields.rest)
    }
}
