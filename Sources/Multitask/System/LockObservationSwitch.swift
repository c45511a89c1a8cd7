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

    /// The fork generation while the mode is 0 (locks report to no one), else a value that no
    /// primitive's storage records: the inlined fast paths compare a storage's generation with
    /// this one word instead of checking the generation and the mode apart (one load, one
    /// compare and one branch fewer on every acquire). Kept in step with ``mode`` by its setter
    /// and with the fork generation in every fork child. The corresponding C function is
    /// `cshim_fast_path_generation`.
    @inlinable @inline(__always)
    static var fastPathGeneration: UInt32 { cshim_fast_path_generation() }
}
