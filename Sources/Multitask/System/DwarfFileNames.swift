/// The file names of one line program's header in `.debug_line` (DWARF 2 to 5): what a
/// `DW_AT_call_file` number means. Only the names are kept, not their directories.
struct DwarfFileNames {
    private let names: [String]
    /// DWARF 5 counts files from 0, earlier versions from 1.
    private let firstIndex: UInt64

    /// The name of file number `index`, nil if the header has no such file.
    func name(_ index: UInt64) -> String? {
        guard index >= firstIndex, index - firstIndex < UInt64(names.count) else { return nil }
        return names[Int(index - firstIndex)]
    }

    /// The header at `offset` of `.debug_line`; strings its DWARF 5 entries point to are
    /// read through `unit`.
    init(at offset: UInt64, unit: DwarfUnit) throws(DwarfMalformed) {
        let lines = unit.sections.lines
        guard offset < UInt64(lines.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(lines, at: Int(offset))
        var offsetSize = 4
        if try cursor.fixed(UInt32.self) == 0xFFFF_FFFF {
            _ = try cursor.fixed(UInt64.self)
            offsetSize = 8
        }
        let version = try cursor.fixed(UInt16.self)
        guard (2...5).contains(version) else { throw DwarfMalformed() }
        var addressSize = unit.form.addressSize
        if version >= 5 {
            addressSize = Int(try cursor.fixed(UInt8.self))
            _ = try cursor.fixed(UInt8.self)  // segment selector size
        }
        _ = try cursor.unsigned(size: offsetSize)  // header length
        try cursor.skip(version >= 4 ? 5 : 4)  // instruction length, (ops per instruction), is_stmt, line base, line range
        let opcodeBase = try cursor.fixed(UInt8.self)
        try cursor.skip(UInt64(max(opcodeBase, 1) - 1))
        var names: [String] = []
        if version < 5 {
            while try cursor.string() != "" {}  // include directories
            while true {
                let name = try cursor.string()
                if name.isEmpty { break }
                for _ in 0..<3 { _ = try cursor.uleb() }  // directory, time, length
                names.append(name)
            }
            firstIndex = 1
        } else {
            // Each entry is described by (content type, form) pairs; 1 is the path.
            let form = DwarfForm(version: version, addressSize: addressSize, offsetSize: offsetSize, unitStart: 0)
            func entries(keepingPaths: Bool) throws(DwarfMalformed) -> [String] {
                var formats: [(type: UInt64, form: UInt64)] = []
                for _ in 0..<(try cursor.fixed(UInt8.self)) { formats.append((try cursor.uleb(), try cursor.uleb())) }
                var paths: [String] = []
                // A unit names a few thousand files at most; a larger count is not one to trust
                // (entries of zero-size forms could otherwise list millions of empty names).
                let count = try cursor.uleb()
                guard count <= 1 << 16 else { throw DwarfMalformed() }
                for _ in 0..<count {
                    var path = ""
                    for format in formats {
                        let value = try form.read(format.form, implicitValue: 0, from: &cursor)
                        if keepingPaths, format.type == 1 { path = (try? unit.string(value)) ?? "" }
                    }
                    if keepingPaths { paths.append(path) }
                }
                return paths
            }
            _ = try entries(keepingPaths: false)  // directories
            names = try entries(keepingPaths: true)
            firstIndex = 0
        }
        self.names = names.map { String($0.split(separator: "/").last ?? Substring($0)) }
    }
}
