import Synchronization
import Testing
@testable import Multitask

private let destroyed = Atomic<Int>(0)

@Suite("ThreadSpecificKey", .timeLimit(.minutes(1)))
struct ThreadSpecificKeyTests {
    @Test("each thread sees only its own value, and a thread's non-nil value is destroyed when it ends")
    func valuesArePerThread() throws {
        let key = try ThreadSpecificKey.create { raw in
            if raw == UnsafeMutableRawPointer(bitPattern: 7) { destroyed.add(1, ordering: .relaxed) }
        }
        defer { key.delete() }
        key.value = UnsafeMutableRawPointer(bitPattern: 5)
        let seenByOther = Mutex<UnsafeMutableRawPointer?>(UnsafeMutableRawPointer(bitPattern: 1))
        let before = destroyed.load(ordering: .relaxed)
        let handle = try NativeThread.start(stackSize: nil) {
            seenByOther.withLock { $0 = key.value }
            key.value = UnsafeMutableRawPointer(bitPattern: 7)
        }
        NativeThread.join(handle)
        #expect(seenByOther.withLock { $0 } == nil)
        #expect(key.value == UnsafeMutableRawPointer(bitPattern: 5))
        #expect(destroyed.load(ordering: .relaxed) == before + 1)
        key.value = nil
    }
}
