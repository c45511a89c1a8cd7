import Glibc

/// Read access to the process environment.
enum Environment {
    /// The value of the variable `name`, or `nil` if it is not set.
    ///
    /// The corresponding C function is `getenv`.
    static func value(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
