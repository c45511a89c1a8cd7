import Glibc
import SystemPackage

/// A pthread key: one pointer-sized slot per thread, with a destructor that runs when a thread
/// whose slot is non-nil exits — the mechanism under Python's `threading.local`.
///
/// Keys are never reused while alive; ``delete()`` ends one (other threads' values are not
/// destroyed then).
///
/// ```swift
/// let key = try ThreadSpecificKey.create { raw in /* release raw */ }
/// key.value = pointer            // only this thread sees it
/// ```
struct ThreadSpecificKey: RawRepresentable, Sendable {
    /// The C key.
    let rawValue: pthread_key_t

    /// Wraps an existing C key.
    init(rawValue: pthread_key_t) { self.rawValue = rawValue }

    /// Creates a key whose `destructor` runs at thread exit for each thread whose value is
    /// non-nil. The corresponding C function is `pthread_key_create`.
    static func create(destructor: @escaping @convention(c) (UnsafeMutableRawPointer?) -> Void) throws(Errno) -> ThreadSpecificKey {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key, destructor)
        guard rc == 0 else { throw Errno(rawValue: rc) }
        return ThreadSpecificKey(rawValue: key)
    }

    /// The calling thread's value. The corresponding C functions are `pthread_getspecific`
    /// and `pthread_setspecific`.
    var value: UnsafeMutableRawPointer? {
        @inline(__always) get { pthread_getspecific(rawValue) }
        @inline(__always) nonmutating set { pthread_setspecific(rawValue, newValue) }
    }

    /// Ends the key. The corresponding C function is `pthread_key_delete`.
    func delete() { pthread_key_delete(rawValue) }
}
