import ArgumentParser
import Multitask

/// The `multitask` command: the lab, the benchmarks and the process inspectors.
@main
struct MultitaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multitask",
        abstract: "Multitasking for Swift on Linux: measure it, benchmark it, inspect it.",
        discussion: "Run `multitask lab` to see sequential, threaded and multi-process work measured on this machine.",
        subcommands: [LabCommand.self, BenchCommand.self, PSCommand.self, PSTreeCommand.self],
        defaultSubcommand: nil
    )
}
