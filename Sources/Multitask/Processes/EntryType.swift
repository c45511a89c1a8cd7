/// Finding a `ProcessEntry` (or `PoolTask`) type again, in another process, from its mangled name.
///
/// `_mangledTypeName` gives a name the runtime can look up with `_typeByName` in any process
/// running the same executable (the toolchain's `Distributed` module relies on the same pair).
/// One case does not survive the trip: a `private`/`fileprivate` type (or a type declared inside
/// a function) sits in an anonymous context, and its name embeds that context's *address*
/// (`3App13$5630b2fc52e0yXZ4PrivV`). Such a name resolves in the parent, but under address-space
/// randomization it means nothing in the child. `validate` rejects it before any child starts.
enum EntryType {
    /// The name to send for `type`, or a programmer-facing reason it cannot travel.
    static func name(of type: Any.Type) -> Result<String, Unresolvable> {
        if let known = checkedNames.withLock({ $0[ObjectIdentifier(type)] }) { return .success(known) }
        let checked = check(type)
        if case .success(let name) = checked { checkedNames.withLock { $0[ObjectIdentifier(type)] = name } }
        return checked
    }

    /// The names ``name(of:)`` found valid, by type: every start asks for its entry's name,
    /// and checking that a name resolves back demangles it (a twentieth of a fork-server
    /// start's CPU; measured). Metadata is never freed, so a type's identifier stays its own.
    static let checkedNames = LockedBox<[ObjectIdentifier: String]>([:], inForkChild: { _ in })

    /// ``name(of:)`` without the cache.
    private static func check(_ type: Any.Type) -> Result<String, Unresolvable> {
        guard let name = _mangledTypeName(type) else {
            return .failure(Unresolvable(type: "\(type)", reason: "the runtime has no mangled name for it"))
        }
        if containsAddress(name) {
            return .failure(Unresolvable(
                type: "\(type)",
                reason: "it is private, fileprivate or local to a function, so its name contains an address that is different in every process; declare it internal or public at file scope (it may be nested in another type)"
            ))
        }
        guard let back = _typeByName(name), back == type else {
            return .failure(Unresolvable(type: "\(type)", reason: "its mangled name '\(name)' does not resolve back to it"))
        }
        return .success(name)
    }

    /// The entry type named `name` in this process.
    static func resolve(_ name: String) -> (any ProcessEntry.Type)? {
        _typeByName(name) as? any ProcessEntry.Type
    }

    /// Asks here, once, what decoding a `type` value asks the runtime first (whether it is
    /// decoded directly: a conformance lookup, which scans every conformance record on a
    /// miss), so that fork children find the answer cached. Runs none of the type's code.
    static func prepareDecoding(of type: any ProcessEntry.Type) {
        if let direct = type as? any BinaryDirectDecodable.Type { RuntimeMetadata.instantiate(direct) }
    }

    /// Whether `name` contains a symbolic reference to an anonymous context: a `$` followed by
    /// hexadecimal digits. `$` appears nowhere else in the names `_mangledTypeName` returns.
    static func containsAddress(_ name: String) -> Bool {
        var previousWasDollar = false
        for c in name.utf8 {
            if previousWasDollar, (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) { return true }
            previousWasDollar = c == 0x24
        }
        return false
    }

    /// Why an entry type cannot be used by `.spawn` or `.forkserver`.
    struct Unresolvable: Error, CustomStringConvertible {
        var type: String
        var reason: String
        var description: String { "entry type \(type) cannot be sent to a spawned or fork-server child: \(reason)" }
    }
}
