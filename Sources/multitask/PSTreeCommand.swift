import ArgumentParser

/// Placeholder until the `pstree` subcommand lands.
struct PSTreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pstree", abstract: "(not yet implemented)")
    func run() throws { throw ValidationError("`multitask pstree` is not implemented yet") }
}
