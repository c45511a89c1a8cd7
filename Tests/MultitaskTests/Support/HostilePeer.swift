import Glibc
@testable import Multitask

/// A hostile process holding a shared segment: writes into it from a fork child, through the
/// child's own (inherited) mapping, exactly as any process with the segment's descriptor can.
enum HostilePeer {
    /// Runs `write` in a fork child with the segment's bytes; returns how the child ended
    /// (its exit code is `write`'s result). Bounded by ``ForkHelper``'s watchdog.
    static func write(into bytes: UnsafeMutableRawPointer, _ write: (UnsafeMutableRawPointer) -> Int32) -> ForkHelper.Outcome {
        ForkHelper.wait(ForkHelper.start(lifetime: 30) { write(bytes) }, timeout: .seconds(30))
    }

    /// Stores `value` at `offset` of `bytes` from a fork child.
    static func store<Value: FixedWidthInteger>(_ value: Value, at offset: Int, in bytes: UnsafeMutableRawPointer) -> ForkHelper.Outcome {
        write(into: bytes) { base in
            base.storeBytes(of: value, toByteOffset: offset, as: Value.self)
            return 0
        }
    }
}

/// This process's resident memory now and at its peak, in bytes (`VmRSS`, `VmHWM`).
func residentMemory() -> (now: Int, peak: Int) {
    (procStatusBytes("VmRSS"), procStatusBytes("VmHWM"))
}

/// A size line of `/proc/self/status` (`VmRSS`, `VmSize`, …), in bytes; 0 if absent.
func procStatusBytes(_ key: String) -> Int {
    let status = readFile("/proc/self/status") ?? ""
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
    return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
}
