import Glibc

/// Wall-clock time and local calendar formatting, as `ps` prints start times.
enum LocalTime {
    /// The fields of a local calendar date that `ps` compares.
    struct Day: Equatable {
        /// Years since 1900 (`tm_year`).
        var year: Int32
        /// Day of the year, 0–365 (`tm_yday`).
        var dayOfYear: Int32
    }

    /// Seconds since the Unix epoch. The corresponding C function is `time`.
    static var now: Int { time(nil) }

    /// The local calendar day of `seconds` since the epoch.
    ///
    /// The corresponding C function is `localtime_r` (after `tzset`).
    static func day(of seconds: Int) -> Day {
        let parts = brokenDown(seconds)
        return Day(year: parts.tm_year, dayOfYear: parts.tm_yday)
    }

    /// `seconds` since the epoch formatted in local time with a `strftime` pattern.
    ///
    /// The corresponding C function is `strftime`.
    static func format(_ seconds: Int, _ pattern: String) -> String {
        var parts = brokenDown(seconds)
        var buffer = [CChar](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, pattern, &parts)
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static let zoneLoaded: Void = tzset()

    private static func brokenDown(_ seconds: Int) -> tm {
        _ = zoneLoaded
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        return parts
    }
}
