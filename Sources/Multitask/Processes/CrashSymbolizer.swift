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
