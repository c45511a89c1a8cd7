import Glibc
import SystemPackage

/// Typed helpers for reading `/proc` and the few system values a process table needs.
///
/// Files under `/proc` report a size of zero and are generated on each read, so they are read
/// whole, one page-sized read at a time, until end of file. A process that exits while it is being read makes these calls
/// throw (`ENOENT`, `ESRCH`); callers that walk `/proc` treat that as "gone", not as a failure.
enum ProcFS {
    /// Reads the whole file at `path`.
    ///
    /// EINTR is retried. The corresponding C functions are `open`, `read` and `close`.
    static func readFile(_ path: String) throws(Errno) -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        } catch {
            throw error as? Errno ?? Errno.ioError
        }
        defer { try? fd.close() }
        var bytes: [UInt8] = []
        while true {
            let chunk: [UInt8]
            do {
                chunk = try [UInt8](unsafeUninitializedCapacity: 4096) { buffer, count in
                    count = try fd.read(into: UnsafeMutableRawBufferPointer(buffer))
                }
            } catch {
                throw error as? Errno ?? Errno.ioError
            }
            if chunk.isEmpty { return bytes }
            bytes += chunk
        }
    }

    /// The entries of `directory` whose names are decimal numbers (process or thread ids), in
    /// ascending order.
    ///
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    static func numericEntries(of directory: String) throws(Errno) -> [Int32] {
        guard let dir = opendir(directory) else { throw Errno(rawValue: errno) }
        defer { closedir(dir) }
        var ids: [Int32] = []
        while let entry = readdir(dir) {
            // d_name is a NUL-terminated fixed-size array inside the dirent readdir returned.
            let id = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Int32? in
                var value: Int32 = 0
                var digits = 0
                for byte in raw {
                    if byte == 0 { break }
                    guard byte >= 0x30, byte <= 0x39 else { return nil }
                    let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(Int32(byte - 0x30))
                    if o1 || o2 { return nil }
                    value = sum
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            if let id { ids.append(id) }
        }
        return ids.sorted()
    }

    /// The target of the symbolic link at `path`, or `nil` if it cannot be read.
    ///
    /// The corresponding C function is `readlink`.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Clock ticks per second, the unit of the times in `/proc/PID/stat` (`USER_HZ`).
    ///
    /// The corresponding C call is `sysconf(_SC_CLK_TCK)`.
    static let clockTicksPerSecond: Int = {
        let value = sysconf(Int32(_SC_CLK_TCK))
        return value > 0 ? value : 100
    }()

    /// The name of the user with id `uid` from the password database, or `nil` if it has none.
    ///
    /// The corresponding C function is `getpwuid_r`.
    static func userName(uid: UInt32) -> String? {
        var size = 1024
        while size <= 1 << 20 {
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: size)
            // The strings in `entry` point into `buffer`: copy the name out before it goes.
            let (rc, name) = buffer.withUnsafeMutableBufferPointer { storage -> (Int32, String?) in
                let rc = getpwuid_r(uid, &entry, storage.baseAddress!, storage.count, &result)
                guard rc == 0, result != nil, let name = entry.pw_name else { return (rc, nil) }
                return (rc, String(cString: name))
            }
            if rc == ERANGE {
                size *= 2
                continue
            }
            return name
        }
        return nil
    }

    /// Seconds since boot, from the first field of `/proc/uptime`.
    static func uptime() throws(Errno) -> Double {
        let text = String(decoding: try readFile("/proc/uptime"), as: UTF8.self)
        guard let field = text.split(separator: " ").first, let value = Double(field) else {
            throw Errno.ioError
        }
        return value
    }

    /// The boot time in seconds since the Unix epoch, from the `btime` line of `/proc/stat`.
    static func bootTime() throws(Errno) -> Int {
        guard let value = try field(named: "btime", in: "/proc/stat", separator: " ") else { throw Errno.ioError }
        return value
    }

    /// Total usable memory in KiB, from the `MemTotal` line of `/proc/meminfo`.
    static func memoryTotalKiB() throws(Errno) -> UInt64 {
        guard let value = try field(named: "MemTotal", in: "/proc/meminfo", separator: ":") else { throw Errno.ioError }
        return UInt64(value)
    }

    /// The largest process id plus one (`/proc/sys/kernel/pid_max`), or `nil` if unreadable.
    static func pidMax() -> Int? {
        guard let bytes = try? readFile("/proc/sys/kernel/pid_max") else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self).filter { !$0.isWhitespace })
    }

    /// The integer after `name` and `separator` on its line of the file at `path`.
    private static func field(named name: String, in path: String, separator: Character) throws(Errno) -> Int? {
        let text = String(decoding: try readFile(path), as: UTF8.self)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: separator, maxSplits: 1)
            guard parts.count == 2, parts[0] == name else { continue }
            return Int(parts[1].split(separator: " ").first ?? "")
        }
        return nil
    }
}
