/// What a queue encodes to when it travels inside a `Codable` value: its segment's handle
/// and its element type, checked on arrival.
///
/// Decoding maps the same shared memory, so the decoded queue *is* the original queue.
/// See ``SharedMemoryHandle`` for how the descriptor reaches a spawned child.
struct QueueHandle: Codable, Sendable {
    var segment: SharedMemoryHandle
    var elementType: String

    init<Element>(_ storage: QueueStorage, element: Element.Type) {
        segment = storage.segment.handle
        elementType = String(reflecting: Element.self)
    }

    /// The storage the handle refers to, attached in this process.
    func attach<Element>(element: Element.Type, codingPath: [any CodingKey]) throws -> QueueStorage {
        guard elementType == String(reflecting: Element.self) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "a queue of \(elementType) cannot be decoded as a queue of \(String(reflecting: Element.self))"))
        }
        // Only the header and links must be backed now; blocks are checked before each use.
        let memory = try SharedMemory(adopting: segment, covered: QueueStorage.blocksOffset)
        guard let storage = QueueStorage.attached(to: memory) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "the shared memory of the handle does not hold a queue"))
        }
        return storage
    }
}

extension QueueStorage {
    /// Decodes a queue handle from `decoder`.
    static func decode<Element>(element: Element.Type, from decoder: any Decoder) throws -> QueueStorage {
        let handle = try decoder.singleValueContainer().decode(QueueHandle.self)
        return try handle.attach(element: element, codingPath: decoder.codingPath)
    }

    /// Encodes a handle of this queue into `encoder`.
    func encode<Element>(element: Element.Type, to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(QueueHandle(self, element: element))
    }
}
