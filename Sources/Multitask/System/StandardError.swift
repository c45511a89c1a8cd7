import Glibc

/// Writes `text` to file descriptor 2 in one `write` call (no stdio buffering, safe in a
/// fork child). The corresponding C function is `write`.
package func writeToStandardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}
