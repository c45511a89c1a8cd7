extension SharedMemory: Codable {
    /// The segment a handle refers to, mapped again in this process: the same bytes, through a
    /// descriptor and mapping of this object's own (``close()`` it like any other). Its
    /// ``name`` is nil: only the creator of a named segment unlinks it. Throws if the handle
    /// is not a segment's or the segment's descriptor did not reach this process.
    public convenience init(from decoder: any Decoder) throws {
        let handle = try SharedObjectHandle<NoConfiguration>.decode(kind: "SharedMemory", from: decoder)
        guard handle.offset == 0 else {
            throw SharedObjectRegistry.corrupted(decoder.codingPath, "a SharedMemory handle must start at offset 0, not \(handle.offset)")
        }
        try self.init(adopting: handle.segment)
    }

    /// Encodes a handle to this segment: a value sent to another
    /// process may contain it, and decoding maps the same memory there.
    public func encode(to encoder: any Encoder) throws {
        try SharedObjectHandle(kind: "SharedMemory", segment: handle, offset: 0, configuration: NoConfiguration()).encode(to: encoder)
    }
}
