/// The functions an address of an ELF file is inside according to its DWARF debugging
/// information: the function compiled there, then each call inlined into it down to the
/// address, with the file and line each inlined call was made from.
///
/// An optimized Swift build compiles a failed runtime check into a trap instruction inside
/// an inlined call of an artificial function named "Swift runtime failure: <message>"; this
/// is how a crash report finds that message again. A file without `.debug_info`, an address
/// no unit covers, or malformed debugging information gives no calls, never a trap.
///
/// ```swift
/// let calls = ElfFile.withMapped(path: "/proc/self/exe") { DwarfInlinedCalls.at(offset: pc, in: $0) }
/// ```
enum DwarfInlinedCalls {
    /// One function on the way to the address.
    struct Call: Equatable {
        /// The function's name (as written in the debugging information: a Swift function's is
        /// mangled, an artificial one's is plain text); nil if it has none.
        let name: String?
        /// The file name (last path component) and line this call was inlined from; nil for
        /// the outermost function, which was not inlined, and for calls without them.
        let callFile: String?
        let callLine: UInt64
    }

    /// The calls at `offset` from `file`'s load address, outermost first; empty if the file
    /// has no debugging information for it.
    static func at(offset: UInt64, in file: ElfFile) -> [Call] {
        guard let sections = DwarfSections(file) else { return [] }
        return at(address: offset &+ file.loadBias, in: sections)
    }

    /// The calls at `address` (as the debugging information writes addresses), outermost first.
    static func at(address: UInt64, in sections: DwarfSections) -> [Call] {
        var unitOffset = 0
        // A unit whose header cannot be read ends the search: where the next starts is unknown.
        while var unit = try? DwarfUnit(sections, at: unitOffset) {
            unitOffset = unit.end
            guard unit.holdsCode, let root = try? unit.readFirstEntry(),
                  (try? unit.contains(root, address: address)) == true
            else { continue }
            if let calls = try? calls(in: &unit, root: root, address: address), !calls.isEmpty { return calls }
        }
        return []
    }

    /// Walks the unit's entries in order, keeping the chain of functions and inlined calls
    /// whose code covers `address`; stops after the subtree of the function that does.
    private static func calls(in unit: inout DwarfUnit, root: DwarfUnit.Entry, address: UInt64) throws(DwarfMalformed) -> [Call] {
        try unit.readAbbreviations()
        var chain: [(depth: Int, entry: DwarfUnit.Entry)] = []
        // Whether the entry open at each depth may hold code at the address (the root does).
        var covering: [Bool] = [true]
        var offset = try unit.entry(at: unit.firstEntry, keeping: false).next
        var depth = 1
        while depth > 0 && offset < unit.end {
            let parentCovers = covering[depth - 1]
            let entry = try unit.entry(at: offset, keeping: parentCovers)
            offset = entry.next
            if entry.tag == 0 {
                depth -= 1
                continue
            }
            if let function = chain.first, depth <= function.depth { break }
            var covers = false
            if parentCovers {
                switch entry.tag {
                case DwarfTag.subprogram, DwarfTag.inlinedSubroutine:
                    covers = try unit.contains(entry, address: address) ?? false
                    if covers { chain.append((depth, entry)) }
                default:
                    // A block without its own ranges, a module, a namespace or a type: code
                    // may be declared inside it (a Swift closure under its module's entry).
                    covers = try unit.contains(entry, address: address) ?? true
                }
            }
            if entry.hasChildren {
                if covering.count > depth { covering[depth] = covers } else { covering.append(covers) }
                depth += 1
            }
        }
        guard !chain.isEmpty else { return [] }
        let files: DwarfFileNames? = switch root.value(DwarfAttribute.statementList) {
        case .number(let lines)?: try? DwarfFileNames(at: lines, unit: unit)
        default: nil
        }
        return chain.map { link in
            var callFile: String?
            var callLine: UInt64 = 0
            if case .number(let index)? = link.entry.value(DwarfAttribute.callFile) { callFile = files?.name(index) }
            if case .number(let line)? = link.entry.value(DwarfAttribute.callLine) { callLine = line }
            return Call(name: name(of: link.entry, in: unit), callFile: callFile, callLine: callLine)
        }
    }

    /// An entry's name, or that of the entry it is an instance or definition of (a few hops
    /// at most, within the unit).
    private static func name(of entry: DwarfUnit.Entry, in unit: DwarfUnit) -> String? {
        var current = entry
        for _ in 0..<4 {
            if let name = current.value(DwarfAttribute.name) ?? current.value(DwarfAttribute.linkageName) {
                return try? unit.string(name)
            }
            guard case .reference(let target)? = current.value(DwarfAttribute.abstractOrigin) ?? current.value(DwarfAttribute.specification),
                  target >= UInt64(unit.firstEntry), target < UInt64(unit.end),
                  let origin = try? unit.entry(at: Int(target), keeping: true)
            else { return nil }
            current = origin
        }
        return nil
    }
}
