import CShim
import Glibc
import SystemPackage

/// The OS side of a thread: creating one with a given stack size, the limits a stack size
/// must respect, sleeping, and the main thread's identity.
package enum NativeThread {
    /// Suspends the calling thread for `duration`, resuming the sleep after a signal handler
    /// interrupts it — Python's `time.sleep`. The corresponding C function is `nanosleep`.
    package static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// The kernel's id of the calling thread (the main thread's equals the pid) — Python's
    /// `threading.get_native_id()`. The corresponding C function is `gettid`.
    @inline(__always)
    static var currentID: Int32 { cshim_gettid() }

    /// The pthread handle of the calling thread, as a number (Python's `threading.get_ident()`).
    /// The corresponding C function is `pthread_self`.
    static var currentHandle: UInt { UInt(pthread_self()) }

    /// Whether the calling thread is the process's main thread (its id equals the pid).
    /// The corresponding C functions are `gettid` and `getpid`.
    static var isMainThread: Bool { cshim_gettid() == ProcessIdentity.pid }

    /// Lets the thread `handle` release its resources by itself when it ends; it can no
    /// longer be joined. The corresponding C function is `pthread_detach`.
    static func detach(_ handle: UInt) { pthread_detach(pthread_t(handle)) }

    /// Waits for the thread `handle` to end and reaps it. The corresponding C function is
    /// `pthread_join`.
    static func join(_ handle: UInt) { pthread_join(pthread_t(handle), nil) }

    /// Waits until `deadline` at most for the thread `handle` to end; `true` if it ended and
    /// was reaped. The corresponding C function is `pthread_timedjoin_np`.
    static func join(_ handle: UInt, until deadline: Deadline) -> Bool {
        var limit = deadline.realtimeTimespec
        return cshim_thread_timed_join(handle, &limit) == 0
    }

    /// Names the calling thread for `ps`, `top` and debuggers; the kernel keeps the first 15
    /// bytes. The corresponding C function is `pthread_setname_np`.
    static func setCurrentName(_ name: String) {
        _ = String(name.utf8.prefix(15))?.withCString { cshim_set_thread_name($0) }
    }

    /// The smallest stack a thread may be given, in bytes (`PTHREAD_STACK_MIN`). The
    /// corresponding C function is `sysconf(_SC_THREAD_STACK_MIN)`.
    static var minimumStackSize: Int {
        let value = sysconf(CInt(_SC_THREAD_STACK_MIN))
        return value > 0 ? value : 16_384
    }

    /// Starts an OS thread running `body`, joinable, with a stack of `stackSize` bytes (nil:
    /// libc's default, which follows `ulimit -s`). Returns its handle. The corresponding C
    /// functions are `pthread_attr_setstacksize` and `pthread_create`.
    static func start(stackSize: Int?, _ body: @escaping () -> Void) throws(Errno) -> pthread_t {
        final class Body {
            let run: () -> Void
            init(_ run: @escaping () -> Void) { self.run = run }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize {
            let rc = pthread_attr_setstacksize(&attributes, stackSize)
            guard rc == 0 else { throw Errno(rawValue: rc) }
        }
        // Invariant: the new thread takes over this retain (or the failure path releases it).
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let rc = pthread_create(&handle, &attributes, { raw in
            Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: rc)
        }
        return handle
    }

    /// Starts a detached OS thread named `name` (at most 15 bytes show in `ps`) running `body`,
    /// with libc's default stack, for the library's own long-lived threads (the process
    /// supervisor, a fork child's executor). Returns its handle. A thread that cannot be
    /// started stops the program: the library cannot work without it. The corresponding C
    /// functions are `pthread_create`, `pthread_detach` and `pthread_setname_np`.
    @discardableResult
    static func startDetached(name: String, _ body: @escaping () -> Void) -> pthread_t {
        let handle: pthread_t
        do {
            handle = try start(stackSize: nil) {
                _ = cshim_set_thread_name(name)
                body()
            }
        } catch {
            fatalError("Multitask: cannot start the thread '\(name)' (\(error))")
        }
        pthread_detach(handle)
        return handle
    }

    /// Whether `handle` is the calling thread. The corresponding C function is `pthread_equal`.
    static func isCurrent(_ handle: pthread_t) -> Bool { pthread_equal(handle, pthread_self()) != 0 }

    /// The handle (`pthread_self()`) of the process's main thread, the one whose kernel id is
    /// the pid; in a fork child, the thread that forked it. Nil if unknown (the library was
    /// loaded after start-up by another thread).
    static var mainThreadHandle: UInt? {
        let handle = cshim_main_thread()
        return handle == 0 ? nil : UInt(handle)
    }
}
