import CShim
import Glibc
import Synchronization
import Testing
@testable import Multitask

/// Something a thread's closure captures, to see when the closure lets it go.
private final class Captured: Sendable {}

/// A weak reference that threads may read.
private final class WeakReference<Object: AnyObject>: @unchecked Sendable {
    weak var object: Object?
    init(_ object: Object) { self.object = object }
}

/// Checks, in a child of any start method, that `Thread.main` describes the thread running it.
struct MainThreadProbe: ProcessEntry {
    func run() throws {
        try childRequire(Thread.main.nativeID == getpid(), "Thread.main.nativeID is not the child's pid")
        try childRequire(cshim_gettid() == getpid(), "the entry does not run on the child's main thread")
        try childRequire(Thread.main.ident == UInt(pthread_self()), "Thread.main.ident is not the child's main thread")
        try childRequire(Thread.current === Thread.main, "the child's main thread is not Thread.main")
    }
}

@Suite("Thread lifecycle (CPython's test_threading)")
struct ThreadLifecycleTests {
    @Test("start() returns with nativeID and ident set, those of the new thread (200 starts)", .timeLimit(.minutes(2)))
    func startWaitsForTheIDs() {
        var missing = 0, wrong = 0
        for _ in 0..<200 {
            let seen = UnguardedBox<(Int32, UInt)>((0, 0))
            let t = Thread { seen.value = (cshim_gettid(), UInt(pthread_self())) }
            t.start()
            if t.nativeID == nil || t.ident == nil { missing += 1 }
            let ids = (t.nativeID, t.ident)
            #expect(t.join(timeout: .seconds(20)))
            if ids.0 != seen.value.0 || ids.1 != seen.value.1 { wrong += 1 }
        }
        #expect(missing == 0, "\(missing) of 200 threads had no ids right after start()")
        #expect(wrong == 0, "\(wrong) of 200 threads had ids other than their own")
    }

    @Test("the closure is released once it has run: what it captured is freed after join")
    func targetReleasedAfterRun() {
        let (thread, captured) = { () -> (Thread, WeakReference<Captured>) in
            let value = Captured()
            return (Thread { withExtendedLifetime(value) {} }, WeakReference(value))
        }()
        #expect(captured.object != nil, "the closure keeps what it captured until it runs")
        thread.start()
        #expect(thread.join(timeout: .seconds(20)))
        #expect(captured.object == nil)
    }

    @Test("a reference cycle through the closure (it captures its own thread) is broken once it ran")
    func cycleThroughTargetBroken() {
        let weakThread = { () -> WeakReference<Thread> in
            let slot = UnguardedBox<Thread?>(nil)
            let thread = Thread { _ = slot.value?.name }
            slot.value = thread
            thread.start()
            #expect(thread.join(timeout: .seconds(20)))
            return WeakReference(thread)
        }()
        #expect(weakThread.object == nil)
    }

    // MARK: The main thread

    @Test("Thread.main is the main thread even when a foreign pthread makes the registry")
    func mainThreadFromForeignThread() async {
        await #expect(processExitsWith: .success) {
            exitUnless(ThreadRegistry.existing == nil, "a fresh process has no thread registry yet")
            let seen = UnguardedBox<(main: Int32?, mainIdent: UInt?, dummy: Int32?, tid: Int32, me: UInt)>((nil, nil, nil, 0, 0))
            let done = Event()
            let foreign = try! NativeThread.start(stackSize: nil) {
                seen.value = (Thread.main.nativeID, Thread.main.ident, Thread.current.nativeID, cshim_gettid(), UInt(pthread_self()))
                done.set()
            }
            exitUnless(done.wait(timeout: .seconds(20)), "the foreign thread ran")
            pthread_join(foreign, nil)
            exitUnless(seen.value.tid != getpid(), "the foreign thread is not the main thread")
            exitUnless(seen.value.main == getpid(), "Thread.main.nativeID is the pid, not the foreign thread's id")
            exitUnless(seen.value.mainIdent != nil && seen.value.mainIdent != seen.value.me, "Thread.main.ident is not the foreign thread's")
            exitUnless(seen.value.dummy == seen.value.tid, "the foreign thread got a placeholder of its own")
            exitUnless(Thread.main.name == "MainThread" && !Thread.main.isDaemon, "the main thread's name and daemon flag")
            if cshim_gettid() == getpid() {
                exitUnless(Thread.current === Thread.main && Thread.main.ident == UInt(pthread_self()), "on the main thread, Thread.current is Thread.main")
            }
        }
    }

    @Test("in a .fork child, Thread.main is the child's thread: its nativeID is the child's pid", .timeLimit(.minutes(1)))
    func mainThreadInForkChild() throws {
        _ = Thread.main.nativeID
        let child = Multitask.Process {
            try childRequire(Thread.main.nativeID == getpid(), "Thread.main.nativeID \(String(describing: Thread.main.nativeID)) is not the child's pid \(getpid())")
            try childRequire(Thread.main.ident == UInt(pthread_self()), "Thread.main.ident is not the child's thread")
            try childRequire(Thread.current === Thread.main, "the child's thread is not Thread.main")
            try childRequire(Thread.main.isAlive && Thread.main.name == "MainThread")
            try childRequire(Thread.all.count == 1, "the parent's threads are listed in the child")
        }
        try child.start()
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
    }

    @Test("in .spawn and .forkserver children, Thread.main is the thread running the entry", .timeLimit(.minutes(1)),
          arguments: [StartMethod.spawn, .forkserver])
    func mainThreadInEntryChild(method: StartMethod) throws {
        let child = Multitask.Process(startMethod: method, entry: MainThreadProbe())
        try child.start()
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
    }

    @Test("in a child of a plain fork() from a test thread, Thread.main and Thread.current are the child's thread", .timeLimit(.minutes(1)))
    func mainThreadInRawForkChild() {
        _ = (Thread.main.nativeID, Thread.current.nativeID)
        let outcome = ForkHelper.run(timeout: .seconds(30)) {
            guard Thread.main.nativeID == getpid() else { return 2 }
            guard Thread.current === Thread.main else { return 3 }
            return 0
        }
        #expect(outcome == .exited(0))
    }

    @Test("a thread may join the main thread: with a timeout it gets false, and the main thread stays alive")
    func joinMainWithTimeout() {
        let joined = UnguardedBox<Bool?>(nil)
        let t = Thread { joined.value = Thread.main.join(timeout: .milliseconds(50)) }
        t.start()
        #expect(t.join(timeout: .seconds(20)))
        #expect(joined.value == false)
        #expect(Thread.main.isAlive)
        #expect(Thread.all.contains { $0 === Thread.main })
    }

    @Test("a thread joining the main thread goes on when the program ends, and is then joined (test_1_join_on_shutdown)", .timeLimit(.minutes(1)))
    func joinMainOnShutdown() throws {
        let report = ReportPipe()
        let child = Multitask.Process {
            let joiner = Thread(name: "joiner") {
                Thread.main.join()
                report.write("end of thread\n")
            }
            joiner.start()
            report.write("end of main\n")
        }
        try child.start()
        #expect(joinOrKill(child))
        #expect(child.exitCode == 0)
        #expect(report.readAll() == "end of main\nend of thread\n")
    }

    @Test("joining a Dummy placeholder stops with a precise message")
    func joinDummy() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let placeholder = UnguardedBox<Thread?>(nil)
            let foreign = try! NativeThread.start(stackSize: nil) { placeholder.value = Thread.current }
            pthread_join(foreign, nil)
            placeholder.value!.join()
        }
        #expect(result?.standardErrorText.contains("was not started by Multitask and cannot be joined") == true)
    }
}
