/// What a child process reads as its standard input.
///
/// Python's `multiprocessing` gives children `/dev/null` (a child calling `input()` gets end
/// of file at once), so that several processes do not fight over one terminal; that is the
/// default here too.
public enum ChildStandardInput: Sendable, Hashable {
    /// `/dev/null`: reads return end of file immediately.
    case null
    /// The parent's standard input, shared with it.
    case inherit
}
