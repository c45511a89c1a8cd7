/// The composition root: where a seam of a lower layer meets the higher layer that fills it.
///
/// Layers only use the layers above them in DESIGN.md's list. When a lower layer needs a
/// service that a higher one implements, it declares a protocol and calls a `make…` function
/// defined here; only this file names the implementation.

/// The lock observer of `Sync/LockObservation.swift`: the deadlock detector.
func makeLockObserver() -> any LockObserver { DeadlockMonitor.shared }
