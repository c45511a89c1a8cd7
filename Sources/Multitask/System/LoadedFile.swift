import CShim

/// What a path is among the files the dynamic loader has loaded into this process.
///
/// ```swift
/// if LoadedFile.kind(of: path) == .executable { /* read /proc/self/exe */ }
/// ```
enum LoadedFile: Equatable {
    /// The name this executable is loaded under (as started, `argv[0]`).
    case executable
    /// A loaded shared library.
    case library
    /// Neither.
    case notLoaded

    /// What `path` is in this process. The corresponding C functions are `dladdr` and `dl_iterate_phdr`
    /// (through `cshim_loaded_file_kind`).
    static func kind(of path: String) -> LoadedFile {
        switch cshim_loaded_file_kind(path) {
        case 2: .executable
        case 1: .library
        default: .notLoaded
        }
    }

    /// Whether Multitask itself was loaded from a shared object rather than linked into the
    /// executable. The corresponding C function is `dladdr` (through `cshim_in_shared_object`).
    static var multitaskIsSharedObject: Bool { cshim_in_shared_object() != 0 }
}
