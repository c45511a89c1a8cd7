/// The DWARF debug sections of one mapped ``ElfFile`` (each empty when the file has none):
/// what a lookup in its debugging information reads.
struct DwarfSections {
    let info: UnsafeRawBufferPointer
    let abbreviations: UnsafeRawBufferPointer
    let strings: UnsafeRawBufferPointer
    let lineStrings: UnsafeRawBufferPointer
    let stringOffsets: UnsafeRawBufferPointer
    let addresses: UnsafeRawBufferPointer
    /// DWARF 4 address ranges.
    let ranges: UnsafeRawBufferPointer
    /// DWARF 5 address ranges.
    let rangeLists: UnsafeRawBufferPointer
    let lines: UnsafeRawBufferPointer
}

extension DwarfSections {
    /// The sections of `file`; nil if it has no `.debug_info` (stripped, or built without `-g`).
    init?(_ file: ElfFile) {
        guard let info = file.section(named: ".debug_info"), info.count > 0 else { return nil }
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        self.info = info
        abbreviations = file.section(named: ".debug_abbrev") ?? none
        strings = file.section(named: ".debug_str") ?? none
        lineStrings = file.section(named: ".debug_line_str") ?? none
        stringOffsets = file.section(named: ".debug_str_offsets") ?? none
        addresses = file.section(named: ".debug_addr") ?? none
        ranges = file.section(named: ".debug_ranges") ?? none
        rangeLists = file.section(named: ".debug_rnglists") ?? none
        lines = file.section(named: ".debug_line") ?? none
    }
}
