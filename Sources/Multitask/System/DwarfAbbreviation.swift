/// One entry of a `.debug_abbrev` table: the shape every debugging entry with its code has
/// (its tag, whether children follow it, and each attribute's name and form).
struct DwarfAbbreviation {
    /// One attribute: its name (`DW_AT_*`), its form (`DW_FORM_*`), and the value of a
    /// `DW_FORM_implicit_const`, which is kept here rather than in the entry.
    struct Attribute {
        let name: UInt64
        let form: UInt64
        let implicitValue: Int64
    }

    let tag: UInt64
    let hasChildren: Bool
    let attributes: [Attribute]

    /// The table starting at `offset` of `section`, by code.
    static func table(in section: UnsafeRawBufferPointer, at offset: UInt64) throws(DwarfMalformed) -> [UInt64: DwarfAbbreviation] {
        guard offset < UInt64(section.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(section, at: Int(offset))
        var table: [UInt64: DwarfAbbreviation] = [:]
        while let (code, entry) = try next(&cursor) { table[code] = entry }
        return table
    }

    /// The entry with `code` in the table at `offset`, reading only as far as it: a unit's
    /// first entry (code 1 as compilers write it) is found without reading the whole table.
    static func entry(_ code: UInt64, in section: UnsafeRawBufferPointer, at offset: UInt64) throws(DwarfMalformed) -> DwarfAbbreviation? {
        guard offset < UInt64(section.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(section, at: Int(offset))
        while let (found, entry) = try next(&cursor) {
            if found == code { return entry }
        }
        return nil
    }

    /// Reads the entry at `cursor`, nil at the table's end (code 0).
    private static func next(_ cursor: inout DwarfCursor) throws(DwarfMalformed) -> (UInt64, DwarfAbbreviation)? {
        let code = try cursor.uleb()
        guard code != 0 else { return nil }
        let tag = try cursor.uleb()
        let hasChildren = try cursor.fixed(UInt8.self) != 0
        var attributes: [Attribute] = []
        while true {
            let name = try cursor.uleb()
            let form = try cursor.uleb()
            if name == 0 && form == 0 { break }
            let implicitValue = form == DwarfForm.implicitConst ? try cursor.sleb() : 0
            attributes.append(Attribute(name: name, form: form, implicitValue: implicitValue))
        }
        return (code, DwarfAbbreviation(tag: tag, hasChildren: hasChildren, attributes: attributes))
    }
}
