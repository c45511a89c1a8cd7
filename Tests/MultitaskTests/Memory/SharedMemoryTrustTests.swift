import Glibc
import SystemPackage
import Testing
@testable import Multitask

/// What a process holding a segment's descriptor (or owning a named segment) could do to
/// another process's mapping of it, and the checks that stop it.
@Suite("Shared memory: seals, sizes and owners are checked", .timeLimit(.minutes(1)))
struct SharedMemoryTrustTests {
    @Test("an anonymous segment is sealed against shrinking, for good: truncating it fails with EPERM")
    func sealed() throws {
        let memory = try SharedMemory(size: 4096)
        let seals = try memory.fileDescriptor.seals()
        #expect(seals.contains(.shrink) && seals.contains(.seal) && !seals.contains(.grow))
        #expect(ftruncate(memory.fileDescriptor.rawValue, 0) != 0 && errno == EPERM)
        #expect(throws: Errno.self) { try memory.fileDescriptor.addSeals(.grow) }
    }

    @Test("adopting a handle of a sealed segment whose file is not sealed throws .notSealed")
    func unsealedRefused() throws {
        let fd = try SharedMemoryFile.createAnonymous(label: "multitask-test-unsealed")
        defer { try? fd.closeDescriptor() }
        try fd.allocateFileSpace(offset: 0, length: 4096)
        let identity = try fd.fileIdentity()
        let handle = SharedMemoryHandle(descriptor: fd.rawValue, device: identity.device, inode: identity.inode, length: 4096, sealed: true)
        #expect(throws: SharedMemoryHandleError.notSealed) { try SharedMemory(adopting: handle) }
    }

    @Test("adopting a handle whose file is smaller than what it maps throws .fileTooSmall")
    func shortFileRefused() throws {
        let memory = try SharedMemory(size: 4096)
        var handle = memory.handle
        handle.length = 3 * 4096
        #expect(throws: SharedMemoryHandleError.fileTooSmall(size: 4096, needed: 3 * 4096)) { try SharedMemory(adopting: handle) }
        let adopted = try SharedMemory(adopting: memory.handle)
        #expect(adopted.size == 4096)
    }

    @Test("a queue's handle whose file lacks the queue's header and links is not a queue")
    func shortQueueRefused() throws {
        let memory = try SharedMemory(anonymousSize: 4096, mappedLength: QueueStorage.mappedLength, label: "multitask-test-queue")
        #expect(throws: SharedMemoryHandleError.fileTooSmall(size: 4096, needed: QueueStorage.blocksOffset)) {
            try SharedMemory(adopting: memory.handle, covered: QueueStorage.blocksOffset)
        }
    }

    @Test("with an address-space limit (ulimit -v) too small for a queue, creating one throws .resourcesExhausted")
    func addressSpaceLimit() {
        // Warm up in the parent what the child runs (see ForkHelper).
        _ = procStatusBytes("VmSize")
        _ = Self.queueCreation()
        let outcome = ForkHelper.run(timeout: .seconds(30)) {
            // Room for the child's own allocations, not for a queue's 4 GiB reservation.
            guard (try? ResourceLimit.limitAddressSpace(to: procStatusBytes("VmSize") + (512 << 20))) != nil else { return 4 }
            return Self.queueCreation()
        }
        #expect(outcome == .exited(0))
    }

    /// 0 if creating a queue throws `.resourcesExhausted(.noMemory)`, 3 if it succeeds, 2 for
    /// any other error.
    static func queueCreation() -> Int32 {
        do throws(QueueError) {
            _ = try Queue<Int>()
            return 3
        } catch .resourcesExhausted(.noMemory) {
            return 0
        } catch {
            return 2
        }
    }

    @Test("shared objects throw, not stop the program, when no descriptor is left for their memory")
    func sharedObjectsThrowAtTheDescriptorLimit() {
        _ = Self.sharedObjectCreation(upTo: 2)
        let outcome = ForkHelper.run(timeout: .seconds(30)) {
            // No descriptor left for a new segment: the first object that needs one throws.
            var limit = rlimit(rlim_cur: rlim_t(ForkHelper.openDescriptorCount() + 3), rlim_max: rlim_t(ForkHelper.openDescriptorCount() + 3))
            guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 4 }
            return Self.sharedObjectCreation(upTo: 3_000)
        }
        #expect(outcome == .exited(0))
    }

    /// 0 if creating up to `count` shared locks, values and arrays (each array needs its own
    /// segment, locks and values fill the arena's) ends with `Errno.tooManyOpenFiles`, 3 if all
    /// succeed, 2 for any other error.
    static func sharedObjectCreation(upTo count: Int) -> Int32 {
        var kept: [AnyObject] = []
        do throws(Errno) {
            for _ in 0..<count {
                kept.append(try Lock(placement: .shared))
                kept.append(try SharedValue(0))
                kept.append(try SharedArray(repeating: 0, count: 4096))
            }
            return 3
        } catch .tooManyOpenFiles {
            return 0
        } catch {
            return 2
        }
    }

    @Test("attaching to (or adopting) a named segment that belongs to another user throws",
          .enabled(if: geteuid() == 0, "only root can give a segment to another user"))
    func foreignOwnerRefused() throws {
        let name = "multitask-test-\(getpid())-owner"
        let memory = try SharedMemory(name: name, size: 4096)
        defer { try? memory.unlink() }
        #expect(try SharedMemory(attachingTo: name).size == 4096)
        let nobody: uid_t = 65534
        #expect(fchown(memory.fileDescriptor.rawValue, nobody, nobody) == 0)
        #expect(throws: Errno.permissionDenied) { try SharedMemory(attachingTo: name) }
        #expect(throws: SharedMemoryHandleError.foreignOwner(nobody)) { try SharedMemory(adopting: memory.handle) }
    }
}
