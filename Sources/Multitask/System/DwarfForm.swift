/// An attribute's value as its form (`DW_FORM_*`) wrote it, before it is looked up in the
/// sections it points into.
enum DwarfValue {
    /// A constant, flag or section offset.
    case number(UInt64)
    /// A machine address.
    case address(UInt64)
    /// An index into `.debug_addr` (from the unit's address base).
    case addressIndex(UInt64)
    /// A string written in place.
    case string(String)
    /// An offset into `.debug_str`.
    case stringOffset(UInt64)
    /// An offset into `.debug_line_str`.
    case lineStringOffset(UInt64)
    /// An index into `.debug_str_offsets` (from the unit's string offsets base).
    case stringIndex(UInt64)
    /// Another entry, as an offset into `.debug_info`.
    case reference(UInt64)
    /// An index into `.debug_rnglists` (from the unit's range lists base).
    case rangeListIndex(UInt64)
    /// Something this reader does not use (a block, an expression, a signature, …).
    case other
}

/// The sizes a unit writes its forms with, and the reading of one value of any form of
/// DWARF 2 to 5 (and the GNU ones a toolchain still emits); an unknown form throws, since what
/// follows it could not be found.
struct DwarfForm {
    /// `DW_FORM_implicit_const`, whose value is in the abbreviation.
    static let implicitConst: UInt64 = 0x21

    let version: UInt16
    let addressSize: Int
    /// 4 (32-bit DWARF) or 8 (64-bit DWARF).
    let offsetSize: Int
    /// Where the unit starts in `.debug_info`: unit-relative references count from here.
    let unitStart: Int

    func read(_ form: UInt64, implicitValue: Int64, from cursor: inout DwarfCursor) throws(DwarfMalformed) -> DwarfValue {
        switch form {
        case 0x01: return .address(try cursor.unsigned(size: addressSize))
        case 0x03: try cursor.skip(UInt64(try cursor.fixed(UInt16.self)))
        case 0x04: try cursor.skip(UInt64(try cursor.fixed(UInt32.self)))
        case 0x09, 0x18: try cursor.skip(try cursor.uleb())
        case 0x0A: try cursor.skip(UInt64(try cursor.fixed(UInt8.self)))
        case 0x0B, 0x0C: return .number(UInt64(try cursor.fixed(UInt8.self)))
        case 0x05: return .number(UInt64(try cursor.fixed(UInt16.self)))
        case 0x06: return .number(UInt64(try cursor.fixed(UInt32.self)))
        case 0x07: return .number(try cursor.fixed(UInt64.self))
        case 0x0D: return .number(UInt64(bitPattern: try cursor.sleb()))
        case 0x0F: return .number(try cursor.uleb())
        case 0x19: return .number(1)
        case Self.implicitConst: return .number(UInt64(bitPattern: implicitValue))
        case 0x08: return .string(try cursor.string())
        case 0x0E: return .stringOffset(try cursor.unsigned(size: offsetSize))
        case 0x1F: return .lineStringOffset(try cursor.unsigned(size: offsetSize))
        case 0x1A: return .stringIndex(try cursor.uleb())
        case 0x25...0x28: return .stringIndex(try cursor.unsigned(size: Int(form - 0x24)))
        case 0x1B: return .addressIndex(try cursor.uleb())
        case 0x29...0x2C: return .addressIndex(try cursor.unsigned(size: Int(form - 0x28)))
        case 0x10: return .reference(try cursor.unsigned(size: version <= 2 ? addressSize : offsetSize))
        case 0x11: return .reference(UInt64(unitStart) &+ UInt64(try cursor.fixed(UInt8.self)))
        case 0x12: return .reference(UInt64(unitStart) &+ UInt64(try cursor.fixed(UInt16.self)))
        case 0x13: return .reference(UInt64(unitStart) &+ UInt64(try cursor.fixed(UInt32.self)))
        case 0x14: return .reference(UInt64(unitStart) &+ (try cursor.fixed(UInt64.self)))
        case 0x15: return .reference(UInt64(unitStart) &+ (try cursor.uleb()))
        case 0x17: return .number(try cursor.unsigned(size: offsetSize))
        case 0x23: return .rangeListIndex(try cursor.uleb())
        case 0x22, 0x1F01, 0x1F02: _ = try cursor.uleb()
        case 0x1C: try cursor.skip(4)
        case 0x20, 0x24: try cursor.skip(8)
        case 0x1E: try cursor.skip(16)
        case 0x1D, 0x1F20, 0x1F21: try cursor.skip(UInt64(offsetSize))
        case 0x16:
            // DW_FORM_indirect: the form comes first; one level only (a chain of them is malformed).
            let actual = try cursor.uleb()
            guard actual != 0x16 else { throw DwarfMalformed() }
            return try read(actual, implicitValue: implicitValue, from: &cursor)
        default: throw DwarfMalformed()
        }
        return .other
    }
}
