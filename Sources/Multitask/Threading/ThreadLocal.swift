
/// A value with one independent copy per thread (Python's `threading.local`).
///
/// Each thread sees the value produced by `initial` until it assigns its own; a thread's copy
/// is destroyed when the thread ends.
///
/// ```swift
/// let requestID = ThreadLocal { 0 }
/// requestID.value = 42          // only this thread sees 42
/// ```
// @unchecked: `key` is written only by init; each thread sees only its own value behind it.
public final class ThreadLocal<Value>: @unchecked Sendable {
    private final class Box { var value: Value; init(_ value: Value) { self.value = value } }
    private let key: ThreadSpecificKey
    private let initial: @Sendable () -> Value

    /// Creates a thread-local value; `initial` runs once in each thread that reads it first.
    public init(_ initial: @escaping @Sendable () -> Value) {
        self.initial = initial
        do {
            key = try ThreadSpecificKey.create { raw in
                if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
            }
        } catch {
            usageFailure("ThreadLocal: pthread_key_create failed (\(error.rawValue))")
        }
    }

    deinit {
        // Copies of threads still alive leak here, as with every pthread key; only this
        // thread's copy can be reclaimed safely.
        if let raw = key.value { Unmanaged<AnyObject>.fromOpaque(raw).release() }
        key.delete()
    }

    private var box: Box {
        if let raw = key.value {
            return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as! Box
        }
        let box = Box(initial())
        key.value = Unmanaged<AnyObject>.passRetained(box).toOpaque()
        return box
    }

    /// This thread's copy if it has one already; unlike ``value``, never makes one.
    var existingValue: Value? {
        guard let raw = key.value else { return nil }
        return (Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as! Box).value
    }

    /// Drops this thread's copy, if it has one: the next read makes a new one with `initial`.
    func removeValue() {
        guard let raw = key.value else { return }
        key.value = nil
        Unmanaged<AnyObject>.fromOpaque(raw).release()
    }

    /// This thread's copy.
    public var value: Value {
        get { box.value }
        set { box.value = newValue }
    }
}
