import Multitask

/// Runs another program (CPython for the lab's peers, this tool itself for `bench`'s areas)
/// and collects what it prints.
enum ProgramRunner {
    /// Runs `arguments` (the program looked up on PATH unless it contains a slash) with stdin from /dev/null and returns its standard
    /// output; throws unless it exits with status 0.
    static func outputOf(_ arguments: [String]) throws -> String {
        try ProgramOutput.of(arguments)
    }
}
