/// The function symbols of an ELF file (an executable or shared library), to name the frames
/// of a crash report.
///
/// Reads the full symbol table (`.symtab`) when the file has one, otherwise the dynamic one
/// (`.dynsym`); a stripped file gives no names. The file is mapped read-only while the table is
/// built, and every header, offset and count read from it is bounds-checked: a malformed file
/// gives an empty table, never a trap.
struct ElfSymbols: Sendable {
    private struct Symbol: Sendable {
        let start: UInt64
        let size: UInt64
        let name: String
    }

    /// Sorted by `start`.
    private let symbols: [Symbol]
    /// What an offset from the file's load address must be shifted by to be a symbol value:
    /// the page-aligned virtual address of the first loadable segment (0 for a shared library
    /// or a position-independent executable).
    private let loadBias: UInt64

    /// The symbol containing `offset` (from the file's load address) and the distance into it.
    func symbol(atOffset offset: UInt64) -> (name: String, distance: UInt64)? {
        let value = offset &+ loadBias
        var low = 0, high = symbols.count
        while low < high {
            let middle = (low + high) / 2
            if symbols[middle].start <= value { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let candidate = symbols[low - 1]
        guard value - candidate.start < max(candidate.size, 1) else { return nil }
        return (candidate.name, value - candidate.start)
    }

    /// Reads the symbols of the file at `path`; an empty table if it cannot be read or parsed.
    static func read(path: String) -> ElfSymbols {
        ElfFile.withMapped(path: path, parse) ?? ElfSymbols(symbols: [], loadBias: 0)
    }

    private init(symbols: [Symbol], loadBias: UInt64) {
        self.symbols = symbols
        self.loadBias = loadBias
    }

    private static func parse(_ file: ElfFile) -> ElfSymbols? {
        guard let table = file.sections.first(where: { $0.type == 2 /* SHT_SYMTAB */ }) ?? file.sections.first(where: { $0.type == 11 /* SHT_DYNSYM */ }),
              Int(table.link) < file.sections.count,
              let strings = file.contents(of: file.sections[Int(table.link)]),
              let entries = file.contents(of: table)
        else { return nil }
        var symbols: [Symbol] = []
        let entrySize = 24
        for entry in stride(from: 0, to: entries.count - entrySize + 1, by: entrySize) {
            let nameOffset = Int(UInt32(littleEndian: entries.loadUnaligned(fromByteOffset: entry, as: UInt32.self)))
            let info = entries[entry + 4]
            let value = UInt64(littleEndian: entries.loadUnaligned(fromByteOffset: entry + 8, as: UInt64.self))
            let size = UInt64(littleEndian: entries.loadUnaligned(fromByteOffset: entry + 16, as: UInt64.self))
            guard info & 0xF == 2 /* STT_FUNC */, value != 0, nameOffset < strings.count else { continue }
            let name = strings[nameOffset...].prefix { $0 != 0 }
            guard !name.isEmpty else { continue }
            symbols.append(Symbol(start: value, size: size, name: String(decoding: UnsafeRawBufferPointer(rebasing: name), as: UTF8.self)))
        }
        symbols.sort { $0.start < $1.start }
        return ElfSymbols(symbols: symbols, loadBias: file.loadBias)
    }
}
