/// A last-in, first-out thread queue (a stack): Python's `queue.LifoQueue`.
///
/// ``get()`` returns the element put most recently. Everything else is as in ``ThreadQueue``;
/// ``OrderedThreadQueue`` states the rules.
///
/// ```swift
/// let stack = LifoThreadQueue<String>()
/// try stack.put("first"); try stack.put("second")
/// try stack.get()      // "second"
/// ```
// @unchecked: inherited from OrderedThreadQueue; adds no state.
public final class LifoThreadQueue<Element: Sendable>: OrderedThreadQueue<LifoOrdering<Element>>, @unchecked Sendable {
    /// Creates an empty queue that holds at most `maxSize` elements (zero or less: no bound).
    public init(maxSize: Int = 0) {
        super.init(maxSize: maxSize, ordering: LifoOrdering())
    }
}

/// Last in, first out: the ordering of ``LifoThreadQueue``.
public struct LifoOrdering<Element: Sendable>: ThreadQueueOrdering {
    @usableFromInline var elements: [Element] = []

    /// An empty ordering.
    @inlinable public init() {}

    @inlinable public var count: Int { elements.count }

    @inlinable public mutating func insert(_ element: consuming Element) { elements.append(element) }

    @inlinable public mutating func removeNext() -> Element { elements.removeLast() }
}
