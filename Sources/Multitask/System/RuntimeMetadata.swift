import CShim

/// Instantiating Swift type metadata ahead of time.
///
/// The runtime builds the metadata of a generic or imported type (`Optional<T>`, a
/// dictionary's storage, a tuple) the first time a process asks for it: it demangles the
/// type's name, checks its generic requirements (a conformance scan on a miss) and allocates.
/// A fork child inherits what its parent built; what the parent never needed, every child
/// builds again, with page faults on all it touches. A forking process that knows what its
/// children need builds it once, here.
enum RuntimeMetadata {
    /// Makes the runtime instantiate the metadata of `type` in this process now (its caller
    /// names the type statically, so the metadata and the caller's cache of it are filled).
    /// The corresponding C function is `cshim_keep_pointer`.
    static func instantiate(_ type: Any.Type) {
        cshim_keep_pointer(unsafeBitCast(type, to: UnsafeRawPointer.self))
    }
}
