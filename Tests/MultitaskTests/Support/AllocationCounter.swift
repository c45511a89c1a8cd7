import Glibc
import Synchronization

/// Counts the Swift objects allocated by every thread of the test process while a body runs,
/// through the runtime's `_swift_allocObject` hook (the function pointer `swift_allocObject`
/// calls when it is not its own implementation).
///
/// Every class instance, closure context, array and dictionary buffer is such an object, so
/// the count is what "allocations per task" means for pool code. Other threads of the process
/// (the supervisor, a monitor) may allocate meanwhile: count many tasks and compare per task.
///
/// Only in a process that ends right after counting (an exit test): the Swift 6.3 Linux
/// runtime, once the hook was installed, routes retains through an adapter that mistakes a
/// small string's bits for a pointer and faults (fixed upstream by swiftlang/swift#88924).
enum AllocationCounter {
    typealias AllocObject = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

    /// The runtime's hook slot, or nil if this runtime has none.
    private static var hook: UnsafeMutablePointer<AllocObject>? {
        dlsym(nil, "_swift_allocObject")?.assumingMemoryBound(to: AllocObject.self)
    }

    /// Whether counting works on this runtime.
    static var isAvailable: Bool { hook != nil }

    /// The objects allocated while `body` ran (nil if the runtime has no hook). Not reentrant:
    /// one count at a time (tests that use it are serialized).
    static func count(_ body: () throws -> Void) rethrows -> Int? {
        guard let hook else { return nil }
        allocationCounterOriginal = hook.pointee
        allocationCounterTotal.store(0, ordering: .sequentiallyConsistent)
        hook.pointee = { metadata, size, alignmentMask in
            allocationCounterTotal.add(1, ordering: .relaxed)
            return allocationCounterOriginal!(metadata, size, alignmentMask)
        }
        defer { hook.pointee = allocationCounterOriginal! }
        try body()
        return allocationCounterTotal.load(ordering: .sequentiallyConsistent)
    }
}

/// The runtime's own allocator while a count runs (a C function pointer cannot capture).
nonisolated(unsafe) private var allocationCounterOriginal: AllocationCounter.AllocObject?
/// Objects allocated since the count began.
private let allocationCounterTotal = Atomic<Int>(0)
