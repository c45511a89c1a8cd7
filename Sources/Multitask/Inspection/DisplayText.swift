/// Text as the process tools print it: `ps` replaces what a terminal cannot show safely with
/// `?`, `pstree` escapes bytes outside printable ASCII as `\ooo`.
enum DisplayText {
    /// `text` with control characters (C0, DEL, C1) and undecodable bytes replaced by `?`, as
    /// procps `escape_str` does in a UTF-8 locale.
    static func psEscaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || (0x7f...0x9f).contains(v) || v == 0xfffd {
                out.append("?")
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// The number of terminal cells `text` takes, counting one per Unicode scalar.
    static func cells(_ text: String) -> Int { text.unicodeScalars.count }

    /// The first `count` cells of `text`.
    static func prefix(_ text: String, cells count: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(max(0, count))))
    }

    /// `bytes` as psmisc `pstree` prints a name: printable ASCII as is, `\` doubled, every
    /// other byte as a three-digit octal escape.
    static func pstreeEscaped(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7e: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return out
    }
}
