extension Multitask {
    /// This library's version, in semantic-versioning form (`MAJOR.MINOR.PATCH`, with a
    /// `-dev` suffix between releases). The `multitask` tool prints it for `--version`.
    ///
    /// Defined here once; nothing else in the package spells the version.
    public static var version: String { "0.1.0-dev" }
}
