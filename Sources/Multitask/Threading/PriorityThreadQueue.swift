/// A thread queue that hands out the smallest element first: Python's `queue.PriorityQueue`.
///
/// "Smallest" is by `<` for `Comparable` elements, or by the `areInIncreasingOrder` given at
/// creation. Unlike Python's heap, equal elements come out in the order they were put, so
/// `(priority, item)` pairs need no tie-breaking counter. Everything else is as in
/// ``ThreadQueue``; ``OrderedThreadQueue`` states the rules.
///
/// ```swift
/// struct Job: Sendable { var priority: Int; var name: String }
/// let jobs = PriorityThreadQueue<Job> { $0.priority < $1.priority }
/// try jobs.put(Job(priority: 2, name: "later")); try jobs.put(Job(priority: 1, name: "now"))
/// try jobs.get().name  // "now"
/// ```
// @unchecked: inherited from OrderedThreadQueue; adds no state.
public final class PriorityThreadQueue<Element: Sendable>: OrderedThreadQueue<PriorityOrdering<Element>>, @unchecked Sendable {
    /// Creates an empty queue that holds at most `maxSize` elements (zero or less: no bound)
    /// and hands out first the element that `areInIncreasingOrder` puts first.
    public init(maxSize: Int = 0, by areInIncreasingOrder: @escaping @Sendable (Element, Element) -> Bool) {
        super.init(maxSize: maxSize, ordering: PriorityOrdering(by: areInIncreasingOrder))
    }

    /// Creates an empty queue that holds at most `maxSize` elements (zero or less: no bound)
    /// and hands out the smallest element first.
    public init(maxSize: Int = 0) where Element: Comparable {
        super.init(maxSize: maxSize, ordering: PriorityOrdering())
    }
}

/// Smallest first, equal elements first in first out: the ordering of
/// ``PriorityThreadQueue``. A binary min-heap.
public struct PriorityOrdering<Element: Sendable>: ThreadQueueOrdering {
    @usableFromInline
    struct Entry {
        @usableFromInline var element: Element
        /// Insertion number: breaks ties so that equal elements keep their order.
        @usableFromInline var serial: UInt64

        @inlinable init(element: consuming Element, serial: UInt64) {
            self.element = element
            self.serial = serial
        }
    }

    @usableFromInline var heap: [Entry] = []
    @usableFromInline var nextSerial: UInt64 = 0
    @usableFromInline let areInIncreasingOrder: @Sendable (Element, Element) -> Bool

    /// An empty ordering by `areInIncreasingOrder`.
    @inlinable public init(by areInIncreasingOrder: @escaping @Sendable (Element, Element) -> Bool) {
        self.areInIncreasingOrder = areInIncreasingOrder
    }

    /// An empty ordering by `<`.
    @inlinable public init() where Element: Comparable {
        self.areInIncreasingOrder = { $0 < $1 }
    }

    @inlinable public var count: Int { heap.count }

    @inlinable public mutating func insert(_ element: consuming Element) {
        heap.append(Entry(element: element, serial: nextSerial))
        nextSerial &+= 1
        let less = areInIncreasingOrder
        heap.withUnsafeMutableBufferPointer { heap in
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.precedes(heap[child], heap[parent], less) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }
    }

    @inlinable public mutating func removeNext() -> Element {
        let last = heap.count - 1
        heap.swapAt(0, last)
        let next = heap.removeLast()
        let less = areInIncreasingOrder
        heap.withUnsafeMutableBufferPointer { heap in
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                let right = left + 1
                let child = right < heap.count && Self.precedes(heap[right], heap[left], less) ? right : left
                guard Self.precedes(heap[child], heap[parent], less) else { break }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        return next.element
    }

    @inlinable @inline(__always)
    static func precedes(_ a: borrowing Entry, _ b: borrowing Entry, _ less: (Element, Element) -> Bool) -> Bool {
        if less(a.element, b.element) { return true }
        if less(b.element, a.element) { return false }
        return a.serial < b.serial
    }
}
