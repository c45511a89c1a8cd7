/// How queue elements become message bytes and back: values the ``RawBytesRule`` admits as
/// their own bytes (no allocation), byte arrays and strings as their contents (one copy in, one out),
/// everything else through ``QueueCodec`` (the binary Codable format).
///
/// Shared by every queue type so that the choice is made in one place. Both ends of a queue
/// use the same `Element`, so each path only has to agree with itself. Inlinable, so that a
/// client's `Queue<Int>` is specialized in the client: the type tests fold away and no
/// generic metadata is looked up per message; everything below it is not generic.
@usableFromInline
enum MessageCoding<Element: Codable> {
    /// Puts `element` into `storage` (see `QueueStorage.put`).
    @inlinable @inline(__always)
    static func send(_ element: Element, to storage: QueueStorage, timeout: Duration?, blocking: Bool) throws(QueueError) {
        if RawBytesRule.applies(to: Element.self) {
            var copy = element
            try withUnsafeBytes(of: &copy) { (bytes) throws(QueueError) in
                try storage.put(bytes, timeout: timeout, blocking: blocking)
            }
            return
        }
        if Element.self == [UInt8].self {
            try unsafeBitCast(element, to: [UInt8].self).withContiguousBytes { (bytes) throws(QueueError) in
                try storage.put(bytes, timeout: timeout, blocking: blocking)
            }
            return
        }
        if Element.self == String.self {
            var string = unsafeBitCast(element, to: String.self)
            try string.withContiguousUTF8 { (bytes) throws(QueueError) in
                try storage.put(bytes, timeout: timeout, blocking: blocking)
            }
            return
        }
        try sendEncoded(element, to: storage, timeout: timeout, blocking: blocking)
    }

    @usableFromInline
    static func sendEncoded(_ element: Element, to storage: QueueStorage, timeout: Duration?, blocking: Bool) throws(QueueError) {
        var bytes: [UInt8] = []
        do {
            try QueueCodec.encode(element, into: &bytes)
        } catch {
            throw .unencodable("\(error)")
        }
        try bytes.withContiguousBytes { (bytes) throws(QueueError) in
            try storage.put(bytes, timeout: timeout, blocking: blocking)
        }
    }

    /// Takes the oldest element from `storage` (see `QueueStorage.get`).
    @inlinable @inline(__always)
    static func receive(from storage: QueueStorage, timeout: Duration?, blocking: Bool) throws(QueueError) -> Element {
        if RawBytesRule.applies(to: Element.self) && MemoryLayout<Element>.size == MemoryLayout<UInt64>.size {
            let (word, count) = try storage.getWord(timeout: timeout, blocking: blocking)
            guard count == MemoryLayout<UInt64>.size else { throw wrongSize(count) }
            // Invariant (RawBytesRule): every bit pattern of this size is a valid Element.
            return unsafeBitCast(word, to: Element.self)
        }
        if RawBytesRule.applies(to: Element.self) {
            // The bytes go straight into the result's storage.
            return try withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { (slot) throws(QueueError) -> Element in
                try storage.get(timeout: timeout, blocking: blocking, pure: true) { (bytes) throws(QueueError) in
                    guard bytes.count == MemoryLayout<Element>.size else { throw wrongSize(bytes.count) }
                    if let source = bytes.baseAddress {
                        // The size as a constant (equal after the guard): a move, not a call.
                        UnsafeMutableRawPointer(slot.baseAddress!).copyMemory(from: source, byteCount: MemoryLayout<Element>.size)
                    }
                }
                // Invariant (RawBytesRule): every bit pattern of this size is a valid Element.
                return slot.baseAddress!.move()
            }
        }
        var result: Element?
        // A byte array is a pure read (see `QueueReceiving`); a string checks its bytes as it
        // copies them, and decoding may have effects (a decoded handle adopts resources), so
        // these get the claimed message's own copy.
        try storage.get(timeout: timeout, blocking: blocking, pure: Element.self == [UInt8].self) { (bytes) throws(QueueError) in
            if Element.self == [UInt8].self {
                result = unsafeBitCast([UInt8](bytes), to: Element.self)
            } else if Element.self == String.self {
                result = unsafeBitCast(String(decoding: bytes, as: UTF8.self), to: Element.self)
            } else {
                result = try decode(bytes)
            }
        }
        return result!
    }

    @usableFromInline
    static func decode(_ bytes: UnsafeRawBufferPointer) throws(QueueError) -> Element {
        do {
            return try QueueCodec.decode(Element.self, from: bytes)
        } catch {
            throw .undecodable("\(error)")
        }
    }

    @usableFromInline
    static func wrongSize(_ count: Int) -> QueueError {
        .undecodable("a message of \(count) bytes cannot be a \(Element.self) (\(MemoryLayout<Element>.size) bytes)")
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with a typed error (the standard one only rethrows untyped errors).
    @inlinable @inline(__always)
    func withContiguousBytes<Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        let failure = withUnsafeBytes { bytes -> Failure? in
            do throws(Failure) {
                try body(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}

extension String {
    /// The UTF-8 bytes of the string, made contiguous first if needed, with a typed error.
    @inlinable @inline(__always)
    mutating func withContiguousUTF8<Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Void) throws(Failure) {
        let failure = withUTF8 { utf8 -> Failure? in
            do throws(Failure) {
                try body(UnsafeRawBufferPointer(utf8))
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }
}
