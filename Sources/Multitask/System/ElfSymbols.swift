import Glibc

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
    /// The corresponding C functions are `open` and `mmap`.
    static func read(path: String) -> ElfSymbols {
        let empty = ElfSymbols(symbols: [], loadBias: 0)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return empty }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 64, status.st_size < 1 << 32 else { return empty }
        let length = Int(status.st_size)
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return empty }
        defer { munmap(base, length) }
        return parse(UnsafeRawBufferPointer(start: base, count: length)) ?? empty
    }

    private init(symbols: [Symbol], loadBias: UInt64) {
        self.symbols = symbols
        self.loadBias = loadBias
    }

    /// Reads a little-endian integer at `offset`, nil if it does not fit in `file`.
    private static func read<Value: FixedWidthInteger>(_ file: UnsafeRawBufferPointer, _ offset: UInt64, as: Value.Type) -> Value? {
        guard offset <= UInt64(file.count), UInt64(file.count) - offset >= UInt64(MemoryLayout<Value>.size) else { return nil }
        return Value(littleEndian: file.loadUnaligned(fromByteOffset: Int(offset), as: Value.self))
    }

    private static func parse(_ file: UnsafeRawBufferPointer) -> ElfSymbols? {
        // ELF64, little-endian (x86-64 and AArch64 Linux).
        guard file.count > 64, file[0] == 0x7F, file[1] == 0x45, file[2] == 0x4C, file[3] == 0x46,
              file[4] == 2, file[5] == 1,
              let programHeaders = read(file, 0x20, as: UInt64.self),
              let sectionHeaders = read(file, 0x28, as: UInt64.self),
              let programEntrySize = read(file, 0x36, as: UInt16.self),
              let programCount = read(file, 0x38, as: UInt16.self),
              let sectionEntrySize = read(file, 0x3A, as: UInt16.self),
              let sectionCount = read(file, 0x3C, as: UInt16.self),
              sectionEntrySize >= 64, programEntrySize >= 56
        else { return nil }
        var loadBias: UInt64?
        for index in 0..<UInt64(programCount) {
            let header = programHeaders &+ index &* UInt64(programEntrySize)
            guard let type = read(file, header, as: UInt32.self), type == 1 /* PT_LOAD */,
                  let address = read(file, header + 0x10, as: UInt64.self),
                  let alignment = read(file, header + 0x30, as: UInt64.self)
            else { continue }
            let mask = alignment > 1 && alignment.nonzeroBitCount == 1 ? alignment - 1 : 0
            loadBias = address & ~mask
            break
        }
        // Section headers: (type, offset, size, link) of each.
        func section(_ index: UInt64) -> (type: UInt32, offset: UInt64, size: UInt64, link: UInt32)? {
            guard index < UInt64(sectionCount) else { return nil }
            let header = sectionHeaders &+ index &* UInt64(sectionEntrySize)
            guard let type = read(file, header + 4, as: UInt32.self),
                  let offset = read(file, header + 0x18, as: UInt64.self),
                  let size = read(file, header + 0x20, as: UInt64.self),
                  let link = read(file, header + 0x28, as: UInt32.self)
            else { return nil }
            return (type, offset, size, link)
        }
        let tables = (0..<UInt64(sectionCount)).compactMap { section($0) }
        guard let table = tables.first(where: { $0.type == 2 /* SHT_SYMTAB */ }) ?? tables.first(where: { $0.type == 11 /* SHT_DYNSYM */ }),
              let strings = section(UInt64(table.link)),
              strings.offset <= UInt64(file.count), UInt64(file.count) - strings.offset >= strings.size,
              table.offset <= UInt64(file.count), UInt64(file.count) - table.offset >= table.size
        else { return nil }
        var symbols: [Symbol] = []
        let entrySize: UInt64 = 24
        for index in 0..<(table.size / entrySize) {
            let entry = table.offset + index * entrySize
            guard let nameOffset = read(file, entry, as: UInt32.self),
                  let info = read(file, entry + 4, as: UInt8.self), info & 0xF == 2 /* STT_FUNC */,
                  let value = read(file, entry + 8, as: UInt64.self), value != 0,
                  let size = read(file, entry + 16, as: UInt64.self),
                  UInt64(nameOffset) < strings.size
            else { continue }
            let start = Int(strings.offset) + Int(nameOffset)
            let end = Int(strings.offset + strings.size)
            var stop = start
            while stop < end && file[stop] != 0 { stop += 1 }
            guard stop > start else { continue }
            symbols.append(Symbol(start: value, size: size, name: String(decoding: UnsafeRawBufferPointer(rebasing: file[start..<stop]), as: UTF8.self)))
        }
        symbols.sort { $0.start < $1.start }
        return ElfSymbols(symbols: symbols, loadBias: loadBias ?? 0)
    }
}
