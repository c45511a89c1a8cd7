import Synchronization

/// Every lazily initialised global of the library, initialised by a parent before it forks.
///
/// The Swift runtime initialises a `static let` (and a global with a non-constant value) on
/// first use, under a lock of its own. If another thread of the parent is initialising one at
/// the moment of a fork, the child inherits that lock held by a thread that does not exist
/// there, and hangs the first time it touches the global. So before every fork the forking
/// thread touches each of them (``initializeAll()``, a few nanoseconds once they are set up):
/// a global then is either initialised in the child or will be initialised by the child
/// itself.
///
/// The list names each global with the source file it is declared in and is checked against
/// the compiled library (the one-time initialisation tokens in its object files) by
/// `LazyGlobalsTests`: a global added without an entry here fails that test. User code's own
/// globals are not covered (see the README's fork-safety section).
enum LazyGlobals {
    /// A global: its source file (without `.swift`), its name, and a closure that touches it.
    struct Entry {
        let file: String
        let name: String
        let touch: () -> Void
    }

    /// Touches every global of ``entries``. (The list is built on each call: as a `static let`
    /// it would itself be a lazily initialised global.)
    static func initializeAll() {
        for entry in entries { entry.touch() }
    }

    /// Gets a variable's address (which initialises it) without reading or writing its value,
    /// which another thread may be changing under its own lock.
    private static func address<Value>(_ variable: inout Value) {}

    static var entries: [Entry] { [
        Entry(file: "BinaryFormat", name: "bytesType") { _ = BinaryFormat.bytesType },
        Entry(file: "BinaryFormat", name: "emptyKeyedByte") { _ = BinaryFormat.emptyKeyedByte },
        Entry(file: "ChildBootstrap", name: "modeVariable") { _ = ChildBootstrap.modeVariable },
        Entry(file: "ChildBootstrap", name: "parentVariable") { _ = ChildBootstrap.parentVariable },
        Entry(file: "ChildBootstrap", name: "bindNowVariable") { _ = ChildBootstrap.bindNowVariable },
        Entry(file: "ChildExecutor", name: "current") { _ = ChildExecutor.current },
        Entry(file: "ChildMain", name: "childCallsBound") { _ = ChildMain.childCallsBound },
        Entry(file: "ChildMain", name: "nullDevice") { _ = ChildMain.nullDevice },
        Entry(file: "ChildRegistry", name: "state") { _ = ChildRegistry.state },
        Entry(file: "CodecKey", name: "super") { _ = CodecKey.super },
        Entry(file: "CrashSymbolizer", name: "tables") { CrashSymbolizer.tables.withLock { _ in } },
        Entry(file: "CrashSymbolizer", name: "failures") { CrashSymbolizer.failures.withLock { _ in } },
        Entry(file: "Condition", name: "advice") { _ = Condition.advice },
        Entry(file: "CurrentProcess", name: "state") { _ = ProcessSelf.state },
        Entry(file: "DeadlockDetectorMode", name: "defaultWaitThreshold") { _ = DeadlockDetector.defaultWaitThreshold },
        Entry(file: "DeadlockDetectorMode", name: "modeVariable") { _ = DeadlockDetector.modeVariable },
        Entry(file: "DeadlockDetectorMode", name: "thresholdVariable") { _ = DeadlockDetector.thresholdVariable },
        Entry(file: "DeadlockMonitor", name: "records") { _ = DeadlockMonitor.records },
        Entry(file: "DeadlockMonitor", name: "shared") { _ = DeadlockMonitor.shared },
        Entry(file: "DeadlockReport", name: "destroyed") { _ = DeadlockReport.LockInfo.destroyed },
        Entry(file: "DeadlockReport", name: "title") { _ = DeadlockReport.title },
        Entry(file: "EntryType", name: "checkedNames") { _ = EntryType.checkedNames },
        Entry(file: "ForkServerClient", name: "passableDescriptors") { _ = ForkServerClient.passableDescriptors },
        Entry(file: "ForkServerClient", name: "storedAnswerTimeout") { _ = ForkServerClient.storedAnswerTimeout },
        Entry(file: "ForkWarning", name: "requester") { _ = ForkWarning.requester },
        Entry(file: "ForkWarning", name: "state") { _ = ForkWarning.state.load(ordering: .relaxed) },
        Entry(file: "KernelState", name: "allKnown") { _ = KernelState.allKnown },
        Entry(file: "KernelState", name: "dead") { _ = KernelState.dead },
        Entry(file: "KernelState", name: "deadLegacy") { _ = KernelState.deadLegacy },
        Entry(file: "KernelState", name: "diskSleep") { _ = KernelState.diskSleep },
        Entry(file: "KernelState", name: "idle") { _ = KernelState.idle },
        Entry(file: "KernelState", name: "parked") { _ = KernelState.parked },
        Entry(file: "KernelState", name: "running") { _ = KernelState.running },
        Entry(file: "KernelState", name: "sleeping") { _ = KernelState.sleeping },
        Entry(file: "KernelState", name: "stopped") { _ = KernelState.stopped },
        Entry(file: "KernelState", name: "tracingStop") { _ = KernelState.tracingStop },
        Entry(file: "KernelState", name: "wakeKill") { _ = KernelState.wakeKill },
        Entry(file: "KernelState", name: "waking") { _ = KernelState.waking },
        Entry(file: "KernelState", name: "zombie") { _ = KernelState.zombie },
        Entry(file: "LocalTime", name: "zoneLoaded") { _ = LocalTime.zoneLoaded },
        Entry(file: "LockObservation", name: "observer") { _ = LockObservation.observer },
        Entry(file: "LockPairCache", name: "empty") { _ = LockPairCache.empty },
        Entry(file: "MainThreadLauncher", name: "key") { _ = MainThreadLauncher.key },
        Entry(file: "MainThreadLauncher", name: "storage") { _ = MainThreadLauncher.storage },
        Entry(file: "MemoryMapping", name: "pageSize") { _ = MemoryMapping.pageSize },
        Entry(file: "MutexCore", name: "ownerCheckInterval") { _ = MutexCore.ownerCheckInterval },
        Entry(file: "PSListing", name: "headers") { _ = PSListing.headers },
        Entry(file: "PassedDescriptor", name: "collectorKey") { _ = PassedDescriptor.collectorKey },
        Entry(file: "PassedDescriptor", name: "tableKey") { _ = PassedDescriptor.tableKey },
        Entry(file: "PoolTaskRunner", name: "rehearsed") { _ = PoolWarmUp.rehearsed },
        Entry(file: "ProcFS", name: "clockTicksPerSecond") { _ = ProcFS.clockTicksPerSecond },
        Entry(file: "ProcessIdentity", name: "cache") { _ = ProcessIdentity.cache.load(ordering: .relaxed) },
        Entry(file: "ProcessIdentity", name: "largestPID") { _ = ProcessIdentity.largestPID },
        Entry(file: "ProcessLifecycle", name: "exitPollingBudget") { _ = Process.exitPollingBudget },
        Entry(file: "QueueStorage", name: "nonBlockingLockWait") { _ = QueueStorage.nonBlockingLockWait },
        Entry(file: "SharedArena", name: "current") { _ = SharedArena.current },
        Entry(file: "SharedMemory", name: "shared") { _ = NamedSegmentRegistry.shared },
        Entry(file: "SharedMemoryFile", name: "grow") { _ = FileSeals.grow },
        Entry(file: "SharedMemoryFile", name: "seal") { _ = FileSeals.seal },
        Entry(file: "SharedMemoryFile", name: "shrink") { _ = FileSeals.shrink },
        Entry(file: "SharedObjectRegistry", name: "tables") { _ = SharedObjectRegistry.tables },
        Entry(file: "StartMethod", name: "state") { _ = DefaultStartMethod.state },
        Entry(file: "Supervisor", name: "instance") { _ = Supervisor.instance },
        Entry(file: "ThreadRegistry", name: "current") { _ = ThreadRegistry.current },
        Entry(file: "ThreadRegistry", name: "shared") { _ = ThreadRegistry.shared },
    ] }
}
