import ArgumentParser
import Multitask
#if MPI
import MultitaskMPI
#endif

/// The `multitask` command: the lab, the benchmarks and the process inspectors.
@main
struct MultitaskCommand: ParsableCommand {
    /// Diverts spawned and fork-server children to their entry before parsing arguments
    /// (the Swift form of `if __name__ == '__main__':`).
    static func main() {
        #if MPI
        MPI.bootstrap()  // also serves as an MPI worker spawned by `bench --only mpi`
        #else
        Multitask.bootstrap()
        #endif
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "multitask",
        abstract: "Multitasking for Swift on Linux: measure it, benchmark it, inspect it.",
        discussion: """
            Run `multitask lab` to see sequential, threaded and multi-process work measured on \
            this machine, `multitask bench` for the benchmark numbers, and `multitask ps` or \
            `multitask pstree` to look at running processes (your own children included) the \
            way procps `ps aux` and psmisc `pstree` show them.

            Examples:
              multitask lab
              multitask ps --tree
              multitask ps --children-of 1234 --json
              multitask pstree -p 1
              multitask pstree --json $$
            """,
        version: Multitask.version,
        subcommands: [LabCommand.self, BenchCommand.self, PSCommand.self, PSTreeCommand.self],
        defaultSubcommand: nil
    )
}
