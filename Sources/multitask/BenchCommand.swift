import ArgumentParser

/// Placeholder until the `bench` subcommand lands.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("`multitask bench` is not implemented yet") }
}
