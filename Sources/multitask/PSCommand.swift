import ArgumentParser

/// Placeholder until the `ps` subcommand lands.
struct PSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("`multitask ps` is not implemented yet") }
}
