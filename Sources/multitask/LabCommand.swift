import ArgumentParser

/// Placeholder until the `lab` subcommand lands.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lab", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("`multitask lab` is not implemented yet") }
}
