/// The composition root: where a seam of a lower layer meets the higher layer that fills it.
///
/// Layers only use the layers below them (ARCHITECTURE.md; `Scripts/check-layers.py` checks
/// it). When a lower layer needs a service that a higher one implements, it declares a
/// protocol and calls a function defined here; only this file names the implementation.

/// The lock observer of `Sync/LockObservation.swift`: the deadlock detector.
func makeLockObserver() -> any LockObserver { DeadlockMonitor.shared }

/// Initialises every lazily initialised global of the library before a fork
/// (`Processes/ChildMain.swift`): the list names globals of every layer.
func initializeLazyGlobals() { LazyGlobals.initializeAll() }
