import Synchronization
import SystemPackage

/// Where small process-shared objects (shared locks, ``SharedValue``, small ``SharedArray``s)
/// get their memory: a bump allocator over anonymous 64 KiB segments.
///
/// One segment per object would cost a descriptor, a mapping and a page each; Python's
/// `multiprocessing.Lock` pays that (one semaphore file per lock). Here objects share segments
/// in 64-byte (cache-line) granules. The bump cursor lives in the segment itself and is
/// advanced atomically, so a forked child allocating from an arena it inherited never hands
/// out a granule its parent also handed out.
///
/// Granules are never reused: a segment is unmapped in a process when the last object placed
/// in it dies there, and the kernel frees it when every process has unmapped it. A program
/// that creates and drops shared objects forever therefore grows by 64 bytes (and at worst a
/// 64 KiB segment) per object alive at the same time as a newer one — the price of not
/// tracking, across processes, who still uses a granule. Requests above ``largestPlacement``
/// get a segment of their own, which is freed as soon as its object dies everywhere.
package enum SharedArena {
    static let segmentSize = 64 * 1024
    static let granule = 64
    /// The largest request served from a shared segment; bigger ones get their own segment.
    static let largestPlacement = 16 * 1024

    /// A placed block: `pointer` stays valid while `owner` is alive.
    package struct Placement {
        package let owner: SharedMemory
        package let pointer: UnsafeMutableRawPointer
    }

    /// `byteCount` zeroed bytes of shared memory, aligned to 64 bytes.
    ///
    /// Throws the system's error when no memory, address space or descriptor is left for a
    /// new segment.
    package static func allocate(byteCount: Int) throws(Errno) -> Placement {
        usageCheck(byteCount > 0, "SharedArena.allocate: byteCount must be positive, got \(byteCount)")
        if byteCount > largestPlacement {
            let segment = try makeSegment(size: byteCount)
            return Placement(owner: segment, pointer: segment.bytes.baseAddress!)
        }
        let granules = (byteCount + granule - 1) / granule
        return try current.withLock { (currentSegment) throws(Errno) -> Placement in
            if let segment = currentSegment, let pointer = bump(segment, granules: granules) {
                return Placement(owner: segment, pointer: pointer)
            }
            let fresh = try makeSegment(size: segmentSize)
            currentSegment = fresh
            // Granule 0 holds the cursor; a fresh segment always has room for the rest.
            return Placement(owner: fresh, pointer: bump(fresh, granules: granules)!)
        }
    }

    /// The segment new placements come from, with its lock forced open in a fork child (a
    /// parent thread may have held it at the fork; the segment is shared with the child).
    static let current = LockedBox(SharedMemory?.none, inForkChild: { _ in })

    /// The segment new placements come from now.
    static var currentSegment: SharedMemory? { current.withLock { $0 } }

    /// Takes `granules` from `segment`'s shared cursor (granule 0 is the header).
    private static func bump(_ segment: SharedMemory, granules: Int) -> UnsafeMutableRawPointer? {
        let cursor = segment.bytes.baseAddress!.assumingMemoryBound(to: Atomic<UInt32>.self)
        let capacity = UInt32(segmentSize / granule)
        var start = cursor.pointee.load(ordering: .relaxed)
        while true {
            let first = max(start, 1)
            // The cursor is shared memory a peer can scribble on: compare before adding.
            guard first < capacity, UInt32(granules) <= capacity - first else { return nil }
            let end = first + UInt32(granules)
            let (exchanged, original) = cursor.pointee.compareExchange(
                expected: start, desired: end, ordering: .relaxed)
            if exchanged { return segment.bytes.baseAddress! + Int(first) * granule }
            start = original
        }
    }

    private static func makeSegment(size: Int) throws(Errno) -> SharedMemory {
        try SharedMemory(anonymousSize: size, mappedLength: size, label: "multitask-objects")
    }
}
