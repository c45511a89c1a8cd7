/// One unit of `.debug_info` (DWARF 2 to 5): its header, its debugging entries one at a time,
/// and what their attributes point to (address ranges, strings).
///
/// ```swift
/// var next = 0
/// while let unit = try DwarfUnit(sections, at: next) { next = unit.end; … }
/// ```
struct DwarfUnit {
    /// One debugging entry: its tag, whether children follow it, the attributes read (only
    /// those asked for), and where the next entry starts.
    struct Entry {
        let tag: UInt64
        let hasChildren: Bool
        let attributes: [(name: UInt64, value: DwarfValue)]
        let next: Int

        /// The value of attribute `name` (`DW_AT_*`), if the entry has it and it was read.
        func value(_ name: UInt64) -> DwarfValue? {
            attributes.first { $0.name == name }?.value
        }
    }

    let sections: DwarfSections
    let form: DwarfForm
    /// Where the unit's first entry starts and where the next unit starts, in `.debug_info`.
    let firstEntry: Int
    let end: Int
    /// Whether it is a compile or partial unit (type and skeleton units hold no code).
    let holdsCode: Bool
    private let abbreviationOffset: UInt64
    private var abbreviations: [UInt64: DwarfAbbreviation] = [:]
    /// Read from the unit's first entry by ``readFirstEntry()``.
    private(set) var baseAddress: UInt64 = 0
    private var addressBase: UInt64 = 0
    private var stringOffsetsBase: UInt64 = 0
    private var rangeListsBase: UInt64?

    /// The unit whose header is at `offset`; nil past the end of `.debug_info`.
    init?(_ sections: DwarfSections, at offset: Int) throws(DwarfMalformed) {
        guard offset < sections.info.count else { return nil }
        self.sections = sections
        var cursor = DwarfCursor(sections.info, at: offset)
        var length = UInt64(try cursor.fixed(UInt32.self))
        var offsetSize = 4
        if length == 0xFFFF_FFFF {
            length = try cursor.fixed(UInt64.self)
            offsetSize = 8
        }
        let bodyStart = cursor.offset
        try cursor.skip(length)
        end = cursor.offset
        cursor.offset = bodyStart
        let version = try cursor.fixed(UInt16.self)
        guard (2...5).contains(version) else { throw DwarfMalformed() }
        var unitType: UInt8 = 1
        let addressSize: Int
        if version >= 5 {
            unitType = try cursor.fixed(UInt8.self)
            addressSize = Int(try cursor.fixed(UInt8.self))
            abbreviationOffset = try cursor.unsigned(size: offsetSize)
            switch unitType {
            case 2, 6: try cursor.skip(8 + UInt64(offsetSize))  // type units: signature, type offset
            case 4, 5: try cursor.skip(8)  // skeleton and split units: their DWO id
            default: break
            }
        } else {
            abbreviationOffset = try cursor.unsigned(size: offsetSize)
            addressSize = Int(try cursor.fixed(UInt8.self))
        }
        guard addressSize == 4 || addressSize == 8, cursor.offset <= end else { throw DwarfMalformed() }
        holdsCode = unitType == 1 || unitType == 3
        firstEntry = cursor.offset
        form = DwarfForm(version: version, addressSize: addressSize, offsetSize: offsetSize, unitStart: offset)
    }

    /// Reads the unit's first entry with only the abbreviation it needs (cheap enough to do
    /// for every unit while looking for the one holding an address), and the bases its
    /// attributes set (base address; address, string offsets and range lists bases), which
    /// the other readers use.
    mutating func readFirstEntry() throws(DwarfMalformed) -> Entry {
        var cursor = DwarfCursor(sections.info, at: firstEntry)
        let code = try cursor.uleb()
        guard let abbreviation = try DwarfAbbreviation.entry(code, in: sections.abbreviations, at: abbreviationOffset)
        else { throw DwarfMalformed() }
        let root = try read(abbreviation, from: &cursor, keeping: true)
        if case .number(let base)? = root.value(DwarfAttribute.addressBase) { addressBase = base }
        if case .number(let base)? = root.value(DwarfAttribute.stringOffsetsBase) { stringOffsetsBase = base }
        if case .number(let base)? = root.value(DwarfAttribute.rangeListsBase) { rangeListsBase = base }
        if let low = root.value(DwarfAttribute.lowPC) { baseAddress = try address(low) }
        return root
    }

    /// Reads the whole abbreviation table, which ``entry(at:keeping:)`` needs.
    mutating func readAbbreviations() throws(DwarfMalformed) {
        abbreviations = try DwarfAbbreviation.table(in: sections.abbreviations, at: abbreviationOffset)
    }

    /// The entry at `offset`, its attributes kept only if `keeping`; a null entry (the end of
    /// a list of children) has tag 0.
    func entry(at offset: Int, keeping: Bool) throws(DwarfMalformed) -> Entry {
        guard offset < end else { throw DwarfMalformed() }
        var cursor = DwarfCursor(sections.info, at: offset)
        let code = try cursor.uleb()
        if code == 0 { return Entry(tag: 0, hasChildren: false, attributes: [], next: cursor.offset) }
        guard let abbreviation = abbreviations[code] else { throw DwarfMalformed() }
        return try read(abbreviation, from: &cursor, keeping: keeping)
    }

    private func read(_ abbreviation: DwarfAbbreviation, from cursor: inout DwarfCursor, keeping: Bool) throws(DwarfMalformed) -> Entry {
        var attributes: [(name: UInt64, value: DwarfValue)] = []
        for attribute in abbreviation.attributes {
            let value = try form.read(attribute.form, implicitValue: attribute.implicitValue, from: &cursor)
            if keeping { attributes.append((attribute.name, value)) }
        }
        guard cursor.offset <= end else { throw DwarfMalformed() }
        return Entry(tag: abbreviation.tag, hasChildren: abbreviation.hasChildren, attributes: attributes, next: cursor.offset)
    }

    /// Whether `entry`'s code (its low and high PC, or its ranges) covers `address`; nil if
    /// it names no code.
    func contains(_ entry: Entry, address: UInt64) throws(DwarfMalformed) -> Bool? {
        if let low = entry.value(DwarfAttribute.lowPC), let high = entry.value(DwarfAttribute.highPC) {
            let start = try self.address(low)
            let stop: UInt64
            switch high {
            case .number(let length): stop = start &+ length
            default: stop = try self.address(high)
            }
            return start <= address && address < stop
        }
        guard let ranges = entry.value(DwarfAttribute.ranges) else { return nil }
        if form.version >= 5 { return try rangeList(ranges, contains: address) }
        guard case .number(let offset) = ranges, offset < UInt64(sections.ranges.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(sections.ranges, at: Int(offset))
        let selectsBase = form.addressSize == 8 ? UInt64.max : UInt64(UInt32.max)
        var current = baseAddress
        while true {
            let start = try cursor.unsigned(size: form.addressSize)
            let stop = try cursor.unsigned(size: form.addressSize)
            if start == 0 && stop == 0 { return false }
            if start == selectsBase { current = stop; continue }
            if current &+ start <= address && address < current &+ stop { return true }
        }
    }

    /// DWARF 5's `.debug_rnglists`: entries (`DW_RLE_*`) up to the end of the list.
    private func rangeList(_ ranges: DwarfValue, contains address: UInt64) throws(DwarfMalformed) -> Bool {
        var offset: UInt64
        switch ranges {
        case .number(let sectionOffset): offset = sectionOffset
        case .rangeListIndex(let index):
            guard let listsBase = rangeListsBase else { throw DwarfMalformed() }
            var table = DwarfCursor(sections.rangeLists, at: 0)
            try table.skip(listsBase &+ index &* UInt64(form.offsetSize))
            offset = listsBase &+ (try table.unsigned(size: form.offsetSize))
        default: throw DwarfMalformed()
        }
        guard offset < UInt64(sections.rangeLists.count) else { throw DwarfMalformed() }
        var cursor = DwarfCursor(sections.rangeLists, at: Int(offset))
        var current = baseAddress
        while true {
            let start: UInt64, stop: UInt64
            switch try cursor.fixed(UInt8.self) {
            case 0: return false
            case 1: current = try indexedAddress(cursor.uleb()); continue
            case 5: current = try cursor.unsigned(size: form.addressSize); continue
            case 2: start = try indexedAddress(cursor.uleb()); stop = try indexedAddress(cursor.uleb())
            case 3: start = try indexedAddress(cursor.uleb()); stop = start &+ (try cursor.uleb())
            case 4: start = current &+ (try cursor.uleb()); stop = current &+ (try cursor.uleb())
            case 6: start = try cursor.unsigned(size: form.addressSize); stop = try cursor.unsigned(size: form.addressSize)
            case 7: start = try cursor.unsigned(size: form.addressSize); stop = start &+ (try cursor.uleb())
            default: throw DwarfMalformed()
            }
            if start <= address && address < stop { return true }
        }
    }

    /// An address attribute's value: written in place, or an index into `.debug_addr`.
    func address(_ value: DwarfValue) throws(DwarfMalformed) -> UInt64 {
        switch value {
        case .address(let address): return address
        case .addressIndex(let index): return try indexedAddress(index)
        default: throw DwarfMalformed()
        }
    }

    private func indexedAddress(_ index: UInt64) throws(DwarfMalformed) -> UInt64 {
        var cursor = DwarfCursor(sections.addresses, at: 0)
        try cursor.skip(addressBase &+ index &* UInt64(form.addressSize))
        return try cursor.unsigned(size: form.addressSize)
    }

    /// A string attribute's text, wherever its form put it.
    func string(_ value: DwarfValue) throws(DwarfMalformed) -> String {
        switch value {
        case .string(let text): return text
        case .stringOffset(let offset): return try DwarfCursor.string(in: sections.strings, at: offset)
        case .lineStringOffset(let offset): return try DwarfCursor.string(in: sections.lineStrings, at: offset)
        case .stringIndex(let index):
            var cursor = DwarfCursor(sections.stringOffsets, at: 0)
            try cursor.skip(stringOffsetsBase &+ index &* UInt64(form.offsetSize))
            return try DwarfCursor.string(in: sections.strings, at: cursor.unsigned(size: form.offsetSize))
        default: throw DwarfMalformed()
        }
    }
}

/// The `DW_TAG_*` values the crash report's lookup uses.
enum DwarfTag {
    static let lexicalBlock: UInt64 = 0x0B
    static let inlinedSubroutine: UInt64 = 0x1D
    static let subprogram: UInt64 = 0x2E
}

/// The `DW_AT_*` values the crash report's lookup uses.
enum DwarfAttribute {
    static let name: UInt64 = 0x03
    static let statementList: UInt64 = 0x10
    static let lowPC: UInt64 = 0x11
    static let highPC: UInt64 = 0x12
    static let abstractOrigin: UInt64 = 0x31
    static let specification: UInt64 = 0x47
    static let ranges: UInt64 = 0x55
    static let callFile: UInt64 = 0x58
    static let callLine: UInt64 = 0x59
    static let linkageName: UInt64 = 0x6E
    static let stringOffsetsBase: UInt64 = 0x72
    static let addressBase: UInt64 = 0x73
    static let rangeListsBase: UInt64 = 0x74
}
