import Glibc
import Testing
@testable import Multitask

// `roundTrip` (CodecTestTypes.swift) encodes with the binary codec and decodes in this process.

/// Process-shared primitives travel as handles inside `Codable` values: the decoded object
/// wraps the very same shared words as the original, in this process and in a fork child.
@Suite("Shared object handles")
struct SharedObjectHandleTests {
    // MARK: Same process

    @Test("a decoded shared Lock is the same lock, with its name and creation site")
    func lock() throws {
        let lock = try Lock(placement: .shared, name: "ledger")
        let decoded = try roundTrip(lock)
        #expect(decoded.name == "ledger")
        #expect(decoded.creationSite == lock.creationSite)
        // One storage per words in a process: one lock to the deadlock detector.
        #expect(decoded.storage === lock.storage)
        lock.acquire()
        #expect(!decoded.tryAcquire())
        #expect(!decoded.acquire(timeout: .milliseconds(1)))
        #expect(decoded.isLocked)
        decoded.release()
        #expect(!lock.isLocked)
    }

    @Test("a decoded shared RLock is owned by the thread that holds the original")
    func rlock() throws {
        let lock = try RLock(placement: .shared)
        let decoded = try roundTrip(lock)
        lock.acquire()
        #expect(decoded.isOwnedByCurrentThread)
        decoded.acquire()           // re-entry through the other object
        decoded.release()
        let otherThread = UnguardedBox(true)
        let thread = Thread { otherThread.value = decoded.tryAcquire() }
        thread.start()
        thread.join()
        #expect(!otherThread.value)
        lock.release()
        #expect(!decoded.isLocked)
    }

    @Test("a decoded shared Condition keeps its lock, Lock or RLock, and is notified through the original",
          .timeLimit(.minutes(1)), arguments: [false, true])
    func condition(reentrant: Bool) throws {
        let condition = reentrant ? try Condition(placement: .shared) : try Condition(lock: try Lock(placement: .shared), placement: .shared)
        let decoded = try roundTrip(condition)
        condition.acquire()
        #expect(!decoded.tryAcquire() || reentrant)    // an RLock re-enters for its owner
        if reentrant { decoded.release() }
        condition.release()

        let ready = try SharedValue(false, lock: false)
        let woke = UnguardedBox(false)
        let waiter = Thread { woke.value = decoded.withLock { decoded.wait(for: { ready.load() }, timeout: .seconds(20)) } }
        waiter.start()
        condition.withLock {
            ready.store(true)
            condition.notifyAll()
        }
        waiter.join()
        #expect(woke.value)
    }

    @Test("a decoded shared Semaphore shares its units")
    func semaphore() throws {
        let slots = try Multitask.Semaphore(value: 2, placement: .shared, name: "slots")
        _ = slots.tryAcquire()
        let decoded = try roundTrip(slots)
        #expect(decoded.value == 1)     // decoding leaves the units alone
        #expect(decoded.name == "slots")
        #expect(decoded.tryAcquire())
        #expect(!decoded.tryAcquire())
        #expect(!slots.acquire(timeout: .milliseconds(1)))
        slots.release(count: 2)
        #expect(decoded.value == 2)
        #expect(decoded.observedAsLock == slots.observedAsLock)
    }

    @Test("a BoundedSemaphore's bound survives, decoded as either class; an unbounded one is no BoundedSemaphore")
    func boundedSemaphore() throws {
        let bounded = try BoundedSemaphore(value: 1, placement: .shared)
        let bytes = try BinaryEncoder().encode(bounded)
        let asBounded = try BinaryDecoder().decode(BoundedSemaphore.self, from: bytes)
        let asSemaphore = try BinaryDecoder().decode(Multitask.Semaphore.self, from: bytes)
        #expect(asBounded.bound == 1 && asSemaphore.bound == 1)
        #expect(asBounded.observedAsLock)
        asBounded.acquire()
        #expect(!bounded.tryAcquire())
        asSemaphore.release()
        #expect(bounded.value == 1)

        let unbounded = try Multitask.Semaphore(value: 1, placement: .shared)
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(BoundedSemaphore.self, from: BinaryEncoder().encode(unbounded)) }
    }

    @Test("a decoded shared Event sees the original's flag, both ways, and wakes its waiters", .timeLimit(.minutes(1)))
    func event() throws {
        let event = try Event(placement: .shared)
        let decoded = try roundTrip(event)
        event.set()
        #expect(decoded.isSet)
        decoded.clear()
        #expect(!event.isSet)
        let woke = UnguardedBox(false)
        let waiter = Thread { woke.value = decoded.wait(timeout: .seconds(20)) }
        waiter.start()
        event.set()
        waiter.join()
        #expect(woke.value)
    }

    @Test("a decoded shared Barrier keeps parties and timeout, drops its action, and counts with the original",
          .timeLimit(.minutes(1)))
    func barrier() throws {
        let barrier = try Barrier(parties: 2, placement: .shared, action: {}, timeout: .seconds(20))
        let decoded = try roundTrip(barrier)
        #expect(decoded.parties == 2)
        #expect(decoded.timeout == .seconds(20))
        #expect(decoded.action == nil)
        for _ in 0..<3 {   // three generations, each with one thread on either object
            let other = UnguardedBox<Int?>(nil)
            let thread = Thread { other.value = try? decoded.wait() }
            thread.start()
            let mine = try barrier.wait()
            thread.join()
            #expect(Set([mine, other.value]) == [0, 1])
        }
    }

    @Test("a decoded SharedValue and SharedArray share memory and lock")
    func valueAndArray() throws {
        let value = try SharedValue(41)
        let decodedValue = try roundTrip(value)
        decodedValue.withLock { $0 += 1 }
        #expect(value.load() == 42)
        value.lock!.acquire()
        #expect(!decodedValue.lock!.tryAcquire())
        value.lock!.release()
        #expect(decodedValue.lock!.storage === value.lock!.storage)

        let unlocked = try SharedValue(1.5, lock: false)
        let decodedUnlocked = try roundTrip(unlocked)
        #expect(decodedUnlocked.lock == nil)
        decodedUnlocked.store(2.5)
        #expect(unlocked.load() == 2.5)

        let array = try SharedArray([1, 2, 3])
        let decodedArray = try roundTrip(array)
        #expect(decodedArray.count == 3)
        decodedArray[1] = 20
        #expect(array.toArray() == [1, 20, 3])
        array.withLock { $0[2] = 30 }
        #expect(decodedArray.toArray() == [1, 20, 30])
        #expect(try roundTrip(SharedArray([UInt8](), lock: false)).count == 0)

        // Large enough for a segment of its own.
        let large = try SharedArray(repeating: UInt16(7), count: 20_000)
        let decodedLarge = try roundTrip(large)
        decodedLarge[19_999] = 9
        #expect(large[19_999] == 9)
    }

    @Test("a decoded SharedMemory maps the same bytes through its own descriptor")
    func sharedMemory() throws {
        let memory = try SharedMemory(size: 4096)
        let decoded = try roundTrip(memory)
        #expect(decoded.size == 4096)
        #expect(decoded.fileDescriptor != memory.fileDescriptor)
        decoded.bytes.storeBytes(of: 99, toByteOffset: 8, as: Int.self)
        #expect(memory.bytes.load(fromByteOffset: 8, as: Int.self) == 99)
        decoded.close()
        memory.close()
    }

    // MARK: Checks

    @Test("a handle decoded as another kind or element type throws DecodingError")
    func mismatches() throws {
        let lockBytes = try BinaryEncoder().encode(Lock(placement: .shared))
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(RLock.self, from: lockBytes) }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Event.self, from: lockBytes) }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(SharedValue<Int>.self, from: lockBytes) }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(SharedMemory.self, from: lockBytes) }

        let valueBytes = try BinaryEncoder().encode(SharedValue(1))
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(SharedValue<Double>.self, from: valueBytes) }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(SharedArray<Int>.self, from: valueBytes) }
        let arrayBytes = try BinaryEncoder().encode(SharedArray([1, 2]))
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(SharedArray<Int32>.self, from: arrayBytes) }
    }

    @Test("a handle whose words lie outside its segment, or overlap another object's, throws DecodingError")
    func outOfRange() throws {
        let memory = try SharedMemory(size: 4096)
        defer { memory.close() }
        func lockHandle(at offset: Int) throws -> [UInt8] {
            try BinaryEncoder().encode(SharedObjectHandle(kind: "Lock", segment: memory.handle, offset: offset,
                                                          configuration: LockIdentity(name: nil, site: CreationSite(file: #fileID, line: #line))))
        }
        for offset in [-4, 4096, 4094, 2] {
            #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Lock.self, from: lockHandle(at: offset)) }
        }
        let lock = try BinaryDecoder().decode(Lock.self, from: lockHandle(at: 4092))
        // The same words decoded as an RLock (three words) would run past the lock's.
        let rlockAtSameWords = try BinaryEncoder().encode(SharedObjectHandle(kind: "RLock", segment: memory.handle, offset: 4092,
                                                                             configuration: LockIdentity(name: nil, site: lock.creationSite)))
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(RLock.self, from: rlockAtSameWords) }

        let barrier = try Barrier(parties: 3, placement: .shared)
        var forged = SharedObjectHandle(kind: "Barrier", segment: SharedObjectRegistry.location(of: barrier.storage).segment,
                                        offset: SharedObjectRegistry.location(of: barrier.storage).offset,
                                        configuration: BarrierConfiguration(parties: 4, timeout: nil))
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Barrier.self, from: BinaryEncoder().encode(forged)) }
        forged.configuration.parties = 3
        #expect(try BinaryDecoder().decode(Barrier.self, from: BinaryEncoder().encode(forged)).parties == 3)
    }

    @Test("encoding a process-local primitive throws, saying how to make it shared")
    func localThrows() throws {
        let locals: [(String, any Encodable)] = [
            ("Lock", Lock()), ("RLock", RLock()), ("Condition", Condition()), ("Semaphore", Multitask.Semaphore(value: 1)),
            ("BoundedSemaphore", BoundedSemaphore(value: 1)), ("Event", Event()), ("Barrier", Barrier(parties: 2)),
        ]
        for (kind, primitive) in locals {
            do {
                _ = try BinaryEncoder().encode(primitive)
                Issue.record("encoding a local \(kind) did not throw")
            } catch let EncodingError.invalidValue(_, context) {
                #expect(context.debugDescription == "\(kind) is process-local; create it with `placement: .shared` to send it to another process")
            }
        }
    }

    @Test("handles of many objects in one segment map it once, and the mapping goes with the last of them")
    func oneMappingPerSegment() throws {
        // A segment this process has not registered, as in a child that did not inherit it.
        let memory = try SharedMemory(size: 4096)
        defer { memory.close() }
        let site = CreationSite(file: #fileID, line: #line)
        weak var mapping: SharedMemory?
        do {
            let locks = try (0..<1000).map { index in
                try BinaryDecoder().decode(Lock.self, from: BinaryEncoder().encode(
                    SharedObjectHandle(kind: "Lock", segment: memory.handle, offset: 4 * index, configuration: LockIdentity(name: nil, site: site))))
            }
            let owner = try #require(locks[0].storage.owner as? SharedMemory)
            #expect(owner !== memory)
            #expect(locks.allSatisfy { $0.storage.owner === owner })
            locks[5].acquire()
            #expect(memory.bytes.load(fromByteOffset: 20, as: UInt32.self) != 0)
            locks[5].release()
            mapping = owner
        }
        #expect(mapping == nil)
    }

    // MARK: Across processes

    struct Envelope: Codable {
        var lock: Lock
        var started: Event
        var condition: Condition
        var slots: Multitask.Semaphore
        var value: SharedValue<Int>
        var array: SharedArray<Int32>
        var locks: [Lock]
    }

    @Test("primitives encoded in the parent and decoded in a fork child are shared with the parent", .timeLimit(.minutes(2)))
    func forkChild() throws {
        let envelope = Envelope(
            lock: try Lock(placement: .shared, name: "parent-held"), started: try Event(placement: .shared),
            condition: try Condition(placement: .shared), slots: try Multitask.Semaphore(value: 1, placement: .shared),
            value: try SharedValue(0), array: try SharedArray(repeating: 0, count: 4),
            locks: try (0..<100).map { _ in try Lock(placement: .shared) })
        let bytes = try BinaryEncoder().encode(envelope)
        // Decode once here, so the child finds the codec's generic metadata instantiated.
        _ = try BinaryDecoder().decode(Envelope.self, from: bytes)

        envelope.lock.acquire()
        envelope.slots.acquire()
        let child = Multitask.Process {
            let copy = try BinaryDecoder().decode(Envelope.self, from: bytes)
            try childRequire(copy.lock.name == "parent-held")
            try childRequire(!copy.lock.tryAcquire(), "the parent holds the lock")
            try childRequire(!copy.slots.tryAcquire(), "the parent holds the unit")
            copy.value.withLock { $0 += 42 }
            copy.array[3] = 7
            try childRequire(copy.locks.allSatisfy { $0.tryAcquire() })
            copy.started.set()
            try childRequire(copy.lock.acquire(timeout: .seconds(20)), "the parent's release did not arrive")
            copy.lock.release()
            try childRequire(copy.slots.acquire(timeout: .seconds(20)), "the parent's unit did not arrive")
        }
        try child.start()
        #expect(envelope.started.wait(timeout: .seconds(20)))
        #expect(envelope.value.load() == 42)
        #expect(envelope.array.toArray() == [0, 0, 0, 7])
        #expect(envelope.locks.allSatisfy { $0.isLocked })
        envelope.lock.release()
        envelope.slots.release()
        #expect(joinOrKill(child, timeout: .seconds(60)))
        #expect(child.exitCode == 0)
        #expect(envelope.slots.value == 0)      // the child took the unit and kept it
    }

    @Test("decoding and dropping handles leaves no descriptor behind")
    func noDescriptorLeak() throws {
        // Each round maps a segment the process has not registered, from a handle, and drops
        // it; in a (single-threaded) child, so nothing else opens descriptors meanwhile.
        func round() -> Bool {
            guard let memory = try? SharedMemory(size: 4096),
                  let bytes = try? BinaryEncoder().encode([memory, memory]),
                  let segments = try? BinaryDecoder().decode([SharedMemory].self, from: bytes)
            else { return false }
            let site = CreationSite(file: #fileID, line: #line)
            let handles = (0..<10).map {
                SharedObjectHandle(kind: "Event", segment: memory.handle, offset: 4 * $0, configuration: NoConfiguration())
            }
            guard let events = try? BinaryDecoder().decode([Event].self, from: BinaryEncoder().encode(handles)),
                  let locks = try? BinaryDecoder().decode([Lock].self, from: BinaryEncoder().encode(
                      [SharedObjectHandle(kind: "Lock", segment: memory.handle, offset: 64, configuration: LockIdentity(name: nil, site: site))]))
            else { return false }
            events[0].set()
            locks[0].withLock {}
            _ = (segments, events, locks)
            return true
        }
        #expect(round())   // warms up the codec in the parent
        let outcome = ForkHelper.run {
            guard round() else { return 2 }
            let before = ForkHelper.openDescriptorCount()
            for _ in 0..<20 { guard round() else { return 3 } }
            return ForkHelper.openDescriptorCount() == before ? 0 : 10
        }
        #expect(outcome == .exited(0))
    }
}
