/// The coding path of a value, rebuilt from the bytes only when someone asks for it.
///
/// The coders keep no path while they work (keeping one costs an allocation per nested
/// dictionary key); an error message or a `codingPath` request walks the bytes from the root
/// to the value instead. The walk is iterative and best effort: on malformed bytes it stops
/// where the bytes stop making sense.
///
/// A decoder walks with a ``Memo``: each level of the walk resumes in its container where the
/// previous walk left it, so the paths of errors met front to back (an `init(from:)` that
/// catches a mismatch in each of 80,000 elements) cost O(depth) each instead of O(elements
/// before them) — linear in total, not quadratic.
enum CodecPath {
    /// Where earlier walks found their way through containers, per nesting level (modulo 8).
    /// An entry is only used for the container it was made in and for a target at or after
    /// it, so a stale one costs a scan, never a wrong path. One memo serves one input.
    ///
    /// A class so that `BinaryDecodingState` can be one: the memo then costs a decode no
    /// allocation of its own, and the input can point at it without reference counting.
    class Memo {
        struct Entry {
            /// The head of the container; -1 for none.
            var container = -1
            /// The start of the child (its key, in a keyed container) the last walk entered.
            var child = 0
            var index = 0
        }
        var entries = InlineArray<8, Entry>(repeating: Entry())
        /// Values the walks skipped over: what the cost of error paths is counted in (tests).
        var skipped = 0

        init() {}
    }

    /// A key or an index on the way to a value.
    enum Component {
        case key(String)
        case intKey(Int)
        case index(Int)
    }

    /// The components from the root value at position 0 to the value at or around `target`.
    ///
    /// `open` lists the heads of containers still being written (encoding): their placeholder
    /// head says nothing yet, and their body runs past the written end, where the value being
    /// written goes.
    static func components(to target: Int, in base: UnsafeRawPointer, count: Int, open: [Int] = [], memo: Memo? = nil) -> [Component] {
        var path: [Component] = []
        var position = 0
        var level = 0
        walk: while position < target {
            guard var h = try? BinaryFormat.head(at: position, end: count, in: base) else { break }
            while h.isSome {
                guard let inner = try? BinaryFormat.head(at: h.next, end: count, in: base) else { break walk }
                h = inner
            }
            guard h.major == BinaryFormat.keyed || h.major == BinaryFormat.unkeyed else { break }
            let bodyEnd: Int
            if open.contains(position) {
                bodyEnd = count + 1
            } else {
                guard let end = try? BinaryFormat.payloadEnd(h, end: count) else { break }
                bodyEnd = end
            }
            let readEnd = min(bodyEnd, count)
            var p = h.next, index = 0
            if let entry = memo?.entries[level & 7], entry.container == position, entry.child <= target {
                (p, index) = (entry.child, entry.index)
            }
            while p < bodyEnd {
                var component = Component.index(index)
                var valueStart = p
                if h.major == BinaryFormat.keyed {
                    guard let key = keyComponent(at: p, end: readEnd, in: base) else { break walk }
                    (component, valueStart) = key
                }
                if target == valueStart {
                    path.append(component)
                    memo?.entries[level & 7] = Memo.Entry(container: position, child: p, index: index)
                    break walk
                }
                let valueEnd = open.contains(valueStart) ? bodyEnd
                    : ((try? BinaryFormat.valueEnd(at: valueStart, end: readEnd, in: base)) ?? bodyEnd)
                if target < valueEnd {
                    path.append(component)
                    memo?.entries[level & 7] = Memo.Entry(container: position, child: p, index: index)
                    // Strictly forward: the walk ends.
                    position = valueStart
                    level += 1
                    continue walk
                }
                p = valueEnd
                index += 1
                memo?.skipped += 1
            }
            break
        }
        return path
    }

    /// The key stored at `position` and the position of its value.
    static func keyComponent(at position: Int, end: Int, in base: UnsafeRawPointer) -> (Component, Int)? {
        guard let h = try? BinaryFormat.head(at: position, end: end, in: base) else { return nil }
        switch h.major {
        case BinaryFormat.unsigned where h.argument <= UInt64(Int.max):
            return (.intKey(Int(h.argument)), h.next)
        case BinaryFormat.negative where h.argument <= UInt64(Int.max):
            return (.intKey(-1 - Int(h.argument)), h.next)
        case BinaryFormat.string:
            guard let end = try? BinaryFormat.payloadEnd(h, end: end) else { return nil }
            let utf8 = UnsafeRawBufferPointer(start: base + h.next, count: end - h.next)
            return (.key(String(decoding: utf8, as: UTF8.self)), end)
        default:
            return nil
        }
    }

    /// `orders[3].items.price`; `""` for the root.
    static func describe(_ components: [Component]) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : "." + name
            case .intKey(let key): text += "[\(key)]"
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The components as `CodingKey`s, for `codingPath`.
    static func codingKeys(_ components: [Component]) -> [any CodingKey] {
        components.map { component in
            switch component {
            case .key(let name): CodecKey(stringValue: name)
            case .intKey(let key): CodecKey(intValue: key)
            case .index(let index): CodecKey(index: index)
            }
        }
    }
}
