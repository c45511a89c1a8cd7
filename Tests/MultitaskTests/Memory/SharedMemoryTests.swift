import Glibc
import SystemPackage
import Testing
@testable import Multitask

@Suite("SharedMemory")
struct SharedMemoryTests {
    @Test("an anonymous segment is zeroed and shared with a forked child")
    func anonymousSharedWithChild() throws {
        let memory = try SharedMemory(size: 8192)
        #expect(memory.size == 8192)
        #expect(memory.name == nil)
        #expect(memory.bytes.allSatisfy { $0 == 0 })
        let outcome = ForkHelper.run {
            memory.bytes.storeBytes(of: 0xC0FFEE, toByteOffset: 4096, as: Int.self)
            return memory.bytes.load(as: Int.self) == 0 ? 0 : 1
        }
        #expect(outcome == .exited(0))
        #expect(memory.bytes.load(fromByteOffset: 4096, as: Int.self) == 0xC0FFEE)
        memory.close()
        memory.close() // idempotent
    }

    @Test("a named segment has mode 0600, is attachable by name, and unlink removes it")
    func namedAttachAndUnlink() throws {
        let name = "multitask-test-\(getpid())-named"
        let memory = try SharedMemory(name: name, size: 4096)
        #expect(memory.name == "/" + name)
        var info = stat()
        #expect(stat("/dev/shm/" + name, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(throws: Errno.fileExists) { try SharedMemory(name: name, size: 4096) }

        memory.bytes.storeBytes(of: 7, as: Int.self)
        // The child attaches by name, as an unrelated process would, and answers through it.
        let outcome = ForkHelper.run {
            guard let other = try? SharedMemory(attachingTo: name) else { return 2 }
            defer { other.close() }
            guard other.size == 4096, other.bytes.load(as: Int.self) == 7 else { return 3 }
            other.bytes.storeBytes(of: 8, toByteOffset: 8, as: Int.self)
            return 0
        }
        #expect(outcome == .exited(0))
        #expect(memory.bytes.load(fromByteOffset: 8, as: Int.self) == 8)

        try memory.unlink()
        #expect(ForkHelper.devShmEntries(prefix: name).isEmpty)
        #expect(throws: Errno.noSuchFileOrDirectory) { try SharedMemory(attachingTo: name) }
        // The mapping outlives the name.
        #expect(memory.bytes.load(as: Int.self) == 7)
        memory.close()
    }

    @Test("a named segment is unlinked when its creator exits normally")
    func namedUnlinkedAtExit() async throws {
        let name = "multitask-test-\(getpid())-atexit"
        // An exit test runs the body in a fresh process, where `exit` runs only that process's
        // own atexit hooks (a fork child would also run the hooks the test runner registered).
        await #expect(processExitsWith: .success) { [name = name as String] in
            let memory = try SharedMemory(name: name, size: 4096)
            memory.bytes.storeBytes(of: 1, as: Int.self)
            guard !ForkHelper.devShmEntries(prefix: name).isEmpty else { exit(2) }
            exit(0)
        }
        #expect(ForkHelper.devShmEntries(prefix: name).isEmpty)
    }

    @Test("invalid names (NUL, slash, empty, too long, dot) are rejected with .invalidArgument, creating and attaching")
    func invalidNames() throws {
        let unique = "multitask-test-nul-\(getpid())"
        let prefix = "multitask-test-long-\(getpid())-"
        let longest = prefix + String(repeating: "n", count: SharedMemory.maximumNameLength - prefix.utf8.count)
        let invalid = ["a/b", "/", "", "//x", "\(unique)\0x", "\0", longest + "n", ".", "..", "/.."]
        for name in invalid {
            #expect(throws: Errno.invalidArgument, "\(name.debugDescription)") { try SharedMemory(name: name, size: 16) }
            #expect(throws: Errno.invalidArgument, "\(name.debugDescription)") { try SharedMemory(attachingTo: name) }
        }
        // The name before the NUL was not created: nothing was opened.
        #expect(ForkHelper.devShmEntries(prefix: unique).isEmpty)
        // The longest valid name works, and attaching to a segment whose name is the part
        // before a NUL is refused rather than attaching to it.
        let segment = try SharedMemory(name: longest, size: 16)
        defer { try? segment.unlink() }
        #expect(try SharedMemory(attachingTo: "/" + longest).size == 16)
        #expect(throws: Errno.invalidArgument) { try SharedMemory(attachingTo: longest + "\0tail") }
    }

    @Test("creating and dropping segments, queues and shared objects leaves no descriptor behind")
    func noDescriptorLeak() {
        // In a child: it has one thread, so nothing else opens descriptors meanwhile. A leak
        // grows with the number of rounds; the arena's current segment does not.
        func rounds(_ n: Int) -> Bool {
            for round in 0..<n {
                guard let memory = try? SharedMemory(size: 1 << 20) else { return false }
                let named = try? SharedMemory(name: "multitask-test-\(getpid())-fd\(round)", size: 4096)
                try? named?.unlink()
                guard let queue = try? Queue<Int>(maxSize: round) else { return false }
                try? queue.put(round)
                guard let values = try? (0..<100).map({ try SharedValue($0) }), let lock = try? Lock(placement: .shared) else { return false }
                lock.withLock {}
                _ = (memory, queue, values)
            }
            return true
        }
        let outcome = ForkHelper.run {
            // Enough to fill the arena segment inherited from the parent (1023 granules), so
            // the current one is the child's own and is released when replaced.
            guard rounds(15) else { return 2 }
            let before = ForkHelper.openDescriptorCount()
            guard rounds(30) else { return 3 }
            let after = ForkHelper.openDescriptorCount()
            return before == after ? 0 : 10
        }
        #expect(outcome == .exited(0))
    }
}

@Suite("SharedValue and SharedArray")
struct SharedValueTests {
    @Test("load, store and withLock on a SharedValue")
    func valueBasics() throws {
        let value = try SharedValue(41)
        #expect(value.load() == 41)
        value.store(1)
        value.withLock { $0 += 1 }
        #expect(value.load() == 2)
        #expect(value.lock != nil)
        let unlocked = try SharedValue(3.5, lock: false)
        #expect(unlocked.lock == nil)
        #expect(unlocked.load() == 3.5)
        struct Point: BitwiseCopyable, Equatable { var x: Int32; var y: Double }
        let point = try SharedValue(Point(x: 1, y: 2))
        point.withLock { $0.x += 10 }
        #expect(point.load() == Point(x: 11, y: 2))
    }

    @Test("locked increments from two processes are never lost")
    func valueAcrossProcesses() throws {
        let counter = try SharedValue(0)
        let perProcess = 100_000
        counter.withLock { $0 += 0 }
        let child = ForkHelper.start {
            for _ in 0..<perProcess { counter.withLock { $0 += 1 } }
            return 0
        }
        for _ in 0..<perProcess { counter.withLock { $0 += 1 } }
        #expect(ForkHelper.wait(child) == .exited(0))
        #expect(counter.load() == 2 * perProcess)
    }

    @Test("a SharedArray is shared with a child, element by element and as a whole")
    func arrayAcrossProcesses() throws {
        let array = try SharedArray(repeating: 0, count: 1000)
        let initial = try SharedArray([1, 2, 3], lock: false)
        #expect(initial.toArray() == [1, 2, 3])
        #expect(try SharedArray([Int](), lock: true).count == 0)
        array[0] = 0
        _ = array.withLock { $0.count }
        let outcome = ForkHelper.run {
            for i in 0..<array.count { array[i] = i * 2 }
            array.withLock { $0[999] = -1 }
            return 0
        }
        #expect(outcome == .exited(0))
        #expect(array[10] == 20)
        #expect(array.toArray().prefix(3) == [0, 2, 4])
        #expect(array[999] == -1)
    }

    @Test("large shared arrays get their own segment and still work")
    func largeArray() throws {
        let big = try SharedArray(repeating: UInt8(7), count: 1 << 20, lock: false)
        #expect(big[(1 << 20) - 1] == 7)
        big.withUnsafeMutableBufferPointer { $0[5] = 9 }
        #expect(big[5] == 9)
    }
}
