/// The fields of `/proc/PID/status` that the process table uses (the effective user and the
/// memory sizes `ps` prints).
///
/// Kernel threads and zombies have no `Vm…` lines; their sizes read as zero, as in `ps`.
struct ProcStatus: Equatable {
    /// The effective user id (second number of the `Uid:` line).
    var effectiveUID: UInt32
    /// `VmSize`: virtual memory size in KiB (`ps` VSZ).
    var virtualKiB: UInt64 = 0
    /// `VmRSS`: resident set size in KiB (`ps` RSS).
    var residentKiB: UInt64 = 0
    /// `VmLck`: locked memory in KiB (`ps` STAT `L`).
    var lockedKiB: UInt64 = 0

    /// Parses the file's contents; `nil` if it has no `Uid:` line.
    init?(_ bytes: [UInt8]) {
        var uid: UInt32?
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let key = String(decoding: line[..<colon], as: UTF8.self)
            let values = line[(colon + 1)...]
                .split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
                .map { String(decoding: $0, as: UTF8.self) }
            switch key {
            case "Uid": uid = values.count > 1 ? UInt32(values[1]) : nil
            case "VmSize": virtualKiB = values.first.flatMap { UInt64($0) } ?? 0
            case "VmRSS": residentKiB = values.first.flatMap { UInt64($0) } ?? 0
            case "VmLck": lockedKiB = values.first.flatMap { UInt64($0) } ?? 0
            default: continue
            }
        }
        guard let uid else { return nil }
        effectiveUID = uid
    }
}
