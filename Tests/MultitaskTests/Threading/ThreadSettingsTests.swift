import Glibc
import Testing
@testable import Multitask

/// `pthread_getattr_np`, a GNU extension that the Glibc module does not import.
private let getThreadAttributes: @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> CInt = {
    guard let symbol = dlsym(nil, "pthread_getattr_np") else { fatalError("no pthread_getattr_np") }
    return unsafeBitCast(symbol, to: (@convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> CInt).self)
}()

/// The stack size of the calling thread, as libc reports it.
private func currentStackSize() -> Int {
    var attributes = pthread_attr_t()
    guard getThreadAttributes(pthread_self(), &attributes) == 0 else { return -1 }
    defer { pthread_attr_destroy(&attributes) }
    var size = 0
    pthread_attr_getstacksize(&attributes, &size)
    return size
}

/// The stack size a thread started now gets, measured inside it.
private func measuredStackSize(of thread: (@escaping @Sendable () -> Void) -> Thread) -> Int {
    let size = UnguardedBox(0)
    let t = thread { size.value = currentStackSize() }
    t.start()
    t.join()
    return size.value
}

private struct Failure: Error, CustomStringConvertible {
    let code: Int
    var description: String { "failure \(code)" }
}

/// Errors handed to the exception hook, by thread.
private final class HookRecord: @unchecked Sendable {
    private let lock = InternalLock()
    private var calls: [(thread: ObjectIdentifier, name: String, error: String, onThread: Bool)] = []
    func append(_ thread: Thread, _ error: any Error) {
        let onThread = Thread.current === thread
        lock.withLock { calls.append((ObjectIdentifier(thread), thread.name, "\(error)", onThread)) }
    }
    func calls(for thread: Thread) -> [(name: String, error: String, onThread: Bool)] {
        lock.withLock { calls.filter { $0.thread == ObjectIdentifier(thread) }.map { ($0.name, $0.error, $0.onThread) } }
    }
}

@Suite("Thread settings: exception hook and stack size", .serialized)
struct ThreadSettingsTests {
    // MARK: Exception hook

    @Test("a settable exception hook gets the thread and the error its closure threw, before join returns")
    func exceptionHookReceivesErrors() {
        let record = HookRecord()
        let threads = (1...3).map { n in Thread(name: "failing-\(n)") { if n != 2 { throw Failure(code: n) } } }
        let watched = Set(threads.map(ObjectIdentifier.init))
        let previous = Thread.exceptionHook
        Thread.exceptionHook = { thread, error in
            // Errors of other tests' threads go where they went before.
            if watched.contains(ObjectIdentifier(thread)) { record.append(thread, error) } else { previous(thread, error) }
        }
        defer { Thread.exceptionHook = previous }
        for t in threads {
            t.start()
            #expect(t.join(timeout: .seconds(20)))
        }
        let first = record.calls(for: threads[0]), second = record.calls(for: threads[1]), third = record.calls(for: threads[2])
        #expect(first.count == 1 && first.first?.name == "failing-1" && first.first?.error == "failure 1" && first.first?.onThread == true)
        #expect(second.isEmpty)
        #expect(third.count == 1 && third.first?.error == "failure 3")
    }

    @Test("the exception hook also receives a subclass's and a Timer's errors")
    func exceptionHookForSubclassAndTimer() {
        final class Failing: Thread, @unchecked Sendable {
            override func run() throws { throw Failure(code: 7) }
        }
        let record = HookRecord()
        let subclass = Failing(name: "subclass")
        let timer = Timer(interval: .zero, name: "timer") { throw Failure(code: 8) }
        let watched: Set = [ObjectIdentifier(subclass), ObjectIdentifier(timer)]
        let previous = Thread.exceptionHook
        Thread.exceptionHook = { thread, error in
            if watched.contains(ObjectIdentifier(thread)) { record.append(thread, error) } else { previous(thread, error) }
        }
        defer { Thread.exceptionHook = previous }
        for t in [subclass, timer] {
            t.start()
            #expect(t.join(timeout: .seconds(20)))
        }
        #expect(record.calls(for: subclass).map(\.error) == ["failure 7"])
        #expect(record.calls(for: timer).map(\.error) == ["failure 8"])
    }

    @Test("the default exception hook prints the thread's name and the error on standard error; it can be restored")
    func defaultExceptionHook() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            struct Broken: Error {}
            Thread.exceptionHook = { _, _ in writeToStandardError("custom hook\n") }
            Thread.exceptionHook = Thread.defaultExceptionHook
            let t = Thread(name: "loader") { throw Broken() }
            t.start()
            t.join()
        }
        let text = result?.standardErrorText ?? ""
        #expect(text.contains("Exception in thread loader: Broken"))
        #expect(!text.contains("custom hook"))
    }

    // MARK: Stack size

    // Sizes far from the default 8 MiB: glibc reuses a cached stack up to 4 times larger than
    // the one asked for, and would report its size.
    @Test("Thread(stackSize:) gives the thread a stack of that size", arguments: [256 * 1024, 32 * 1024 * 1024])
    func perThreadStackSize(size: Int) {
        #expect(measuredStackSize { body in Thread(stackSize: size, target: body) } == size)
    }

    @Test("Thread.stackSize applies to the threads started afterwards; 0 restores the system's default")
    func globalStackSize() async {
        await #expect(processExitsWith: .success) {
            exitUnless(Thread.stackSize == 0, "the initial value is 0")
            let systemDefault = measuredStackSize { body in Thread(target: body) }
            Thread.stackSize = 512 * 1024
            exitUnless(Thread.stackSize == 512 * 1024, "the getter returns what was set")
            exitUnless(measuredStackSize { body in Thread(target: body) } == 512 * 1024, "the default applies")
            exitUnless(measuredStackSize { body in Thread(stackSize: 1024 * 1024, target: body) } == 1024 * 1024, "a thread's own size wins")
            Thread.stackSize = 0
            exitUnless(measuredStackSize { body in Thread(target: body) } == systemDefault, "0 restores the default \(systemDefault)")
        }
    }

    @Test("a stack size below PTHREAD_STACK_MIN stops with a precise message")
    func stackSizeTooSmall() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Thread.stackSize = 4096
        }
        #expect(result?.standardErrorText.contains("Thread.stackSize: a stack of 4096 bytes is below the system's minimum of") == true)
    }

    @Test("a stack size that is not a multiple of the page size stops with a precise message")
    func stackSizeNotPageMultiple() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Thread(stackSize: 1024 * 1024 + 100) {}
        }
        #expect(result?.standardErrorText.contains("Thread(stackSize:): a stack of 1048676 bytes is not a multiple of the page size") == true)
    }
}
