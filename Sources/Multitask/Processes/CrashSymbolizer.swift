import Synchronization

/// Names the frames of a ``CrashReport`` from the symbol tables of the files this process has
/// loaded.
///
/// A child's frame names a file by the path it was loaded from; the path is the child's word
/// (the record is in memory it could write anything to), so it is only compared with the
/// files loaded here — this executable (every child runs the same program) and its
/// libraries — and a file is read only if it is one of them. Tables are read once, on first
/// use, and kept.
enum CrashSymbolizer {
    static let tables = Mutex<[String: ElfSymbols]>([:])
    /// The runtime failure found at each trapping frame asked about (nil: none), so that a
    /// report's ``CrashReport/message`` reads the debugging information once.
    static let failures = Mutex<[CrashReport.RecordedFrame: String?]>([:])

    static func frame(_ recorded: CrashReport.RecordedFrame) -> CrashReport.Frame {
        let file = recorded.path.split(separator: "/").last.map(String.init) ?? recorded.path
        guard let loaded = loadedFile(named: recorded.path) else {
            return CrashReport.Frame(symbol: nil, offset: recorded.offset, file: file)
        }
        let symbols = tables.withLock { cache in
            if let known = cache[loaded] { return known }
            let read = ElfSymbols.read(path: loaded)
            cache[loaded] = read
            return read
        }
        guard let (name, distance) = symbols.symbol(atOffset: recorded.offset) else {
            return CrashReport.Frame(symbol: nil, offset: recorded.offset, file: file)
        }
        return CrashReport.Frame(symbol: SwiftSymbol.demangled(name), offset: distance, file: file)
    }

    /// The message of the Swift runtime check that failed at `recorded`, the trapping
    /// instruction, from the debugging information of the file it is in: "File.swift:12:
    /// Swift runtime failure: Index out of range", with the innermost source line the check
    /// was inlined from (the caller's code, not the standard library's). Nil when the file is
    /// not loaded here, has no debugging information (stripped, or built without `-g`), or
    /// the instruction is not a failed check.
    static func runtimeFailure(at recorded: CrashReport.RecordedFrame) -> String? {
        if let known = failures.withLock({ $0[recorded] }) { return known }
        let found = loadedFile(named: recorded.path).flatMap { loaded in
            ElfFile.withMapped(path: loaded) { failureMessage(DwarfInlinedCalls.at(offset: recorded.offset, in: $0)) }
        }
        failures.withLock { known in
            // The offsets are the children's word: a bound keeps forged ones from piling up.
            if known.count >= 256 { known.removeAll() }
            known[recorded] = .some(found)
        }
        return found
    }

    private static func failureMessage(_ calls: [DwarfInlinedCalls.Call]) -> String? {
        // The name the compiler gives the artificial function a failed check traps inside.
        guard let innermost = calls.last, let name = innermost.name, name.hasPrefix("Swift runtime failure: ") else { return nil }
        let written = calls.reversed().first { call in
            guard let file = call.callFile else { return false }
            return call.callLine > 0 && !file.hasPrefix("<")  // not "<compiler-generated>"
        }
        guard let written, let file = written.callFile else { return name }
        return "\(file):\(written.callLine): \(name)"
    }

    /// The file to read for a path a child reported: this executable (`/proc/self/exe`) when
    /// the path is the one this process's executable is loaded under, the library itself when
    /// it is one of this process's libraries, nil otherwise.
    private static func loadedFile(named path: String) -> String? {
        switch LoadedFile.kind(of: path) {
        case .executable: "/proc/self/exe"
        case .library: path
        case .notLoaded: nil
        }
    }
}
