/// The entry types a fork server has looked up by name, found or not: each name is resolved once
/// in the server (a lookup scans the runtime's type records) and prepared for decoding there, so
/// the children it forks — and the standby, which gets a copy — inherit the answer instead of
/// paying for it again.
struct ForkServerEntryTypes {
    /// Every name looked up so far, with its type (`nil`: no entry type has that name).
    private var known: [String: (any ProcessEntry.Type)?] = [:]

    /// The entry type named `name`: looked up, and prepared for decoding, on first use only.
    mutating func resolve(_ name: String) -> (any ProcessEntry.Type)? {
        if let type = known[name] { return type }
        let type = EntryType.resolve(name)
        if let type { EntryType.prepareDecoding(of: type) }
        known[name] = .some(type)
        return type
    }
}
