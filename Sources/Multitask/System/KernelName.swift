import CShim

/// The name the kernel shows for the calling thread — for a process's first thread, the
/// process's name in `ps`, `pstree`, `top` and `/proc/PID/comm`.
///
/// The kernel keeps at most 15 bytes. A re-executed copy of the program starts with the name
/// of the file it was started from, and Multitask starts copies from `/proc/self/exe`, which
/// would make them all `exe`: they take ``programName`` instead.
enum KernelName {
    /// The most bytes the kernel keeps (`TASK_COMM_LEN` less its terminating NUL).
    static let maximumLength = 15

    /// Sets the calling thread's name to `name`, cut to ``maximumLength`` bytes at a
    /// character boundary (a NUL ends it early). The corresponding C function is
    /// `prctl(PR_SET_NAME)`.
    static func set(_ name: String) {
        _ = truncated(name).withCString { cshim_set_thread_name($0) }
    }

    /// `name` as the kernel keeps it: its first ``maximumLength`` bytes, cut at a character
    /// boundary.
    static func truncated(_ name: String) -> String {
        var kept = 0
        for scalar in name.unicodeScalars {
            let width = UTF8.width(scalar)
            guard kept + width <= maximumLength else { break }
            kept += width
        }
        return String(decoding: name.utf8.prefix(kept), as: UTF8.self)
    }

    /// This process's name now (its first thread's, from `/proc/self/comm`); nil if
    /// unreadable.
    static var ofProcess: String? {
        guard var bytes = try? ProcFS.readFile("/proc/self/comm") else { return nil }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The program's own name: the last component of its `argv[0]` (as the kernel names a
    /// program started from its path), from `/proc/self/cmdline`, so that it can be read
    /// before `main` too. nil if that is unreadable or empty.
    static var programName: String? {
        guard let commandLine = try? ProcFS.readFile("/proc/self/cmdline"),
              let first = commandLine.split(separator: 0, omittingEmptySubsequences: false).first,
              let last = first.split(separator: UInt8(ascii: "/")).last
        else { return nil }
        return String(decoding: last, as: UTF8.self)
    }
}
