import Foundation
import Glibc
import Testing
@testable import Multitask

@Suite("Queue handles")
struct QueueHandleTests {
    struct Envelope: Codable {
        var jobs: Multitask.Queue<Int>
        var note: String
    }

    @Test("a queue inside a Codable value decodes to the same queue, in a fork child too")
    func roundTrip() throws {
        let queue = try Multitask.Queue<Int>(maxSize: 10)
        let data = try JSONEncoder().encode(Envelope(jobs: queue, note: "hi"))
        let copy = try JSONDecoder().decode(Envelope.self, from: data)
        #expect(copy.jobs.maxSize == 10)
        try copy.jobs.put(1)
        #expect(try queue.get() == 1)

        // In a child, attach through the handle as decoding does (the descriptor is inherited;
        // JSONDecoder itself is not fork-safe while other test threads run).
        let handle = QueueHandle(queue.storage, element: Int.self)
        try queue.put(0)
        _ = try queue.get()
        _ = try handle.attach(element: Int.self, codingPath: [])
        let child = ForkHelper.start {
            guard let storage = try? handle.attach(element: Int.self, codingPath: []) else { return 1 }
            var value = 42
            return (try? withUnsafeBytes(of: &value) { try storage.put($0, timeout: nil, blocking: true) }) == nil ? 2 : 0
        }
        #expect(try queue.get(timeout: .seconds(20)) == 42)
        #expect(ForkHelper.wait(child) == .exited(0))
    }

    @Test("encoding with a collector writes descriptor slots; decoding maps them through a table")
    func descriptorCollected() throws {
        let queue = try SimpleQueue<String>()
        let other = try SimpleQueue<String>()
        let collector = PassedDescriptor.Collector()
        let encoder = JSONEncoder()
        encoder.userInfo[PassedDescriptor.collectorKey] = collector
        let data = try encoder.encode([queue, other, queue])
        let fds = [queue.storage.segment.fileDescriptor.rawValue, other.storage.segment.fileDescriptor.rawValue]
        #expect(collector.descriptors == fds)

        // Without the table the slots are not descriptors of the segments: refused.
        #expect(throws: (any Error).self) { try JSONDecoder().decode([SimpleQueue<String>].self, from: data) }
        // A table too short for the slots: refused.
        let short = JSONDecoder()
        short.userInfo[PassedDescriptor.tableKey] = PassedDescriptor.Table(descriptors: [fds[0]])
        #expect(throws: DecodingError.self) { try short.decode([SimpleQueue<String>].self, from: data) }

        let decoder = JSONDecoder()
        decoder.userInfo[PassedDescriptor.tableKey] = PassedDescriptor.Table(descriptors: fds)
        let decoded = try decoder.decode([SimpleQueue<String>].self, from: data)
        try decoded[0].put("x")
        try decoded[1].put("y")
        #expect(try queue.get() == "x")
        #expect(try other.get() == "y")
    }

    @Test("a handle of another element type, or without its descriptor, is rejected")
    func rejected() throws {
        let queue = try Multitask.Queue<Int>()
        let data = try JSONEncoder().encode(queue)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Multitask.Queue<String>.self, from: data) }

        var handle = queue.storage.segment.handle
        handle.inode &+= 1
        #expect(throws: SharedMemoryHandleError.descriptorNotInherited(handle.descriptor)) {
            try SharedMemory(adopting: handle)
        }
    }
}
