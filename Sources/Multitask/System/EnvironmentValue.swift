import Glibc

/// The value of the environment variable `name` in this process, or nil if it is unset.
/// The corresponding C function is `getenv`.
func environmentValue(_ name: String) -> String? {
    guard let raw = getenv(name) else { return nil }
    return String(cString: raw)
}
