import CShim
import Glibc

/// Access to the process environment.
enum Environment {
    /// The value of the variable `name`, or `nil` if it is not set.
    ///
    /// The corresponding C function is `getenv`.
    static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Removes the variable `name` from the process environment (children started later do
    /// not get it). Not thread-safe, like every change of `environ`: call it before starting
    /// threads. The corresponding C function is `unsetenv`.
    static func remove(_ name: String) { unsetenv(name) }

    /// Every `NAME=value` entry of the process environment, in order.
    ///
    /// The corresponding C variable is `environ`.
    static var entries: [String] {
        var result: [String] = []
        guard var entry = cshim_environ() else { return result }
        while let pointer = entry.pointee {
            result.append(String(cString: pointer))
            entry += 1
        }
        return result
    }
}
