import CShim

/// The process-wide word that says how locks are observed (off, counted, or traced by the
/// deadlock monitor), read on every lock's fast path and kept in the C shim so that it is one
/// plain load.
///
/// ```swift
/// if LockObservationSwitch.mode == LockObservationSwitch.unresolved { /* read the environment */ }
/// ```
@usableFromInline
enum LockObservationSwitch {
    /// The mode before its first resolution from the environment.
    static var unresolved: UInt32 { CSHIM_LOCK_OBSERVATION_UNRESOLVED }

    /// The current mode (a volatile load when read, a relaxed atomic store when set). The
    /// corresponding C functions are `cshim_lock_observation_mode` and
    /// `cshim_set_lock_observation_mode`.
    @usableFromInline
    static var mode: UInt32 {
        @inlinable @inline(__always) get { cshim_lock_observation_mode() }
        set { cshim_set_lock_observation_mode(newValue) }
    }
}
