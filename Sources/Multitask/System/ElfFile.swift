import Glibc

/// An ELF file (an executable or shared library) mapped read-only for as long as a closure
/// runs: its sections by type or name, and the shift from load offsets to its addresses.
///
/// Every header, offset and count read from it is bounds-checked: a malformed file gives no
/// sections (or a nil file), never a trap. ELF64, little-endian only (x86-64 and AArch64 Linux).
///
/// ```swift
/// let names = ElfFile.withMapped(path: "/proc/self/exe") { $0.section(named: ".debug_str") != nil }
/// ```
struct ElfFile {
    /// One section header: its type, where its bytes are in the file, and its link field.
    struct Section {
        let type: UInt32
        let offset: UInt64
        let size: UInt64
        let link: UInt32
        let nameOffset: UInt32
    }

    /// The whole mapped file.
    let bytes: UnsafeRawBufferPointer
    /// Every section header that could be read.
    let sections: [Section]
    /// What an offset from the file's load address must be shifted by to be an address in the
    /// file (a symbol value, a DWARF address): the page-aligned virtual address of the first
    /// loadable segment (0 for a shared library or a position-independent executable).
    let loadBias: UInt64
    /// The section holding the section names.
    private let names: Section?

    /// Runs `body` with the file at `path` mapped; nil if it cannot be opened, mapped or is
    /// not ELF64 little-endian. The mapping ends when `body` returns: nothing it returns may
    /// point into ``bytes``. The corresponding C functions are `open` and `mmap`.
    static func withMapped<Result>(path: String, _ body: (ElfFile) -> Result?) -> Result? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_size > 64, status.st_size < 1 << 32 else { return nil }
        let length = Int(status.st_size)
        guard let base = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else { return nil }
        defer { munmap(base, length) }
        guard let file = ElfFile(UnsafeRawBufferPointer(start: base, count: length)) else { return nil }
        return body(file)
    }

    /// Reads a little-endian integer at `offset`, nil if it does not fit in the file.
    func read<Value: FixedWidthInteger>(_ offset: UInt64, as: Value.Type) -> Value? {
        Self.read(bytes, offset, as: Value.self)
    }

    private static func read<Value: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: UInt64, as: Value.Type) -> Value? {
        guard offset <= UInt64(bytes.count), UInt64(bytes.count) - offset >= UInt64(MemoryLayout<Value>.size) else { return nil }
        return Value(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(offset), as: Value.self))
    }

    /// The bytes of `section`, nil if they do not lie inside the file (or the section has
    /// none in it, `SHT_NOBITS`).
    func contents(of section: Section) -> UnsafeRawBufferPointer? {
        guard section.type != 8 /* SHT_NOBITS */, section.offset <= UInt64(bytes.count),
              UInt64(bytes.count) - section.offset >= section.size
        else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[Int(section.offset)..<Int(section.offset + section.size)])
    }

    /// The bytes of the first section called `name` (".debug_info"), nil if there is none.
    func section(named name: String) -> UnsafeRawBufferPointer? {
        guard let names, let table = contents(of: names) else { return nil }
        let wanted = Array(name.utf8)
        for section in sections where Int(section.nameOffset) < table.count {
            let start = Int(section.nameOffset)
            guard table.count - start > wanted.count, table[start + wanted.count] == 0,
                  zip(table[start..<(start + wanted.count)], wanted).allSatisfy({ $0 == $1 })
            else { continue }
            return contents(of: section)
        }
        return nil
    }

    private init?(_ bytes: UnsafeRawBufferPointer) {
        func read<Value: FixedWidthInteger>(_ offset: UInt64, as: Value.Type) -> Value? { Self.read(bytes, offset, as: Value.self) }
        guard bytes.count > 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1,
              let programHeaders = read(0x20, as: UInt64.self),
              let sectionHeaders = read(0x28, as: UInt64.self),
              let programEntrySize = read(0x36, as: UInt16.self),
              let programCount = read(0x38, as: UInt16.self),
              let sectionEntrySize = read(0x3A, as: UInt16.self),
              let sectionCount = read(0x3C, as: UInt16.self),
              let namesIndex = read(0x3E, as: UInt16.self),
              sectionEntrySize >= 64, programEntrySize >= 56
        else { return nil }
        var loadBias: UInt64 = 0
        for index in 0..<UInt64(programCount) {
            let header = programHeaders &+ index &* UInt64(programEntrySize)
            guard let type = read(header, as: UInt32.self), type == 1 /* PT_LOAD */,
                  let address = read(header &+ 0x10, as: UInt64.self),
                  let alignment = read(header &+ 0x30, as: UInt64.self)
            else { continue }
            let mask = alignment > 1 && alignment.nonzeroBitCount == 1 ? alignment - 1 : 0
            loadBias = address & ~mask
            break
        }
        var sections: [Section] = []
        for index in 0..<UInt64(sectionCount) {
            let header = sectionHeaders &+ index &* UInt64(sectionEntrySize)
            guard let nameOffset = read(header, as: UInt32.self),
                  let type = read(header &+ 4, as: UInt32.self),
                  let offset = read(header &+ 0x18, as: UInt64.self),
                  let size = read(header &+ 0x20, as: UInt64.self),
                  let link = read(header &+ 0x28, as: UInt32.self)
            else { break }
            sections.append(Section(type: type, offset: offset, size: size, link: link, nameOffset: nameOffset))
        }
        self.bytes = bytes
        self.sections = sections
        self.loadBias = loadBias
        names = Int(namesIndex) < sections.count ? sections[Int(namesIndex)] : nil
    }
}
