import CShim

/// The calling thread's slot for the deadlock detector's record: one pointer in a C
/// thread-local (initial-exec, so reading it is one load), read on every observed lock
/// operation. Swift's own thread-locals cost a call; this slot only points at a record that a
/// Swift thread-local owns.
///
/// ```swift
/// if LockObserverThreadSlot.current == nil { LockObserverThreadSlot.current = pointer }
/// ```
enum LockObserverThreadSlot {
    /// The pointer stored for the calling thread, nil until set. The corresponding C
    /// functions are `cshim_lock_observer_thread` and `cshim_set_lock_observer_thread`.
    static var current: UnsafeMutableRawPointer? {
        @inline(__always) get { cshim_lock_observer_thread() }
        @inline(__always) set { cshim_set_lock_observer_thread(newValue) }
    }
}
