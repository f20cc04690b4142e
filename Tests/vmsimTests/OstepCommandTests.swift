import Testing
@testable import vmsim

/// `vmsim ostep` hands everything after the subcommand to the tool untouched, options included,
/// so each tool's optparse-style flags (and its own `-h`) work as in the Python script.
struct OstepCommandTests {
    @Test(arguments: [
        ["malloc", "-c"],
        ["malloc", "--help"],
        ["paging-policy", "-h", "-s", "3"],
        ["linear", "--", "-x"],
        ["relocation", "--version", "-c"],
        ["segmentation", "-A", "-1,5", "--b0=-1"],
    ])
    func passesToolArgumentsThrough(_ arguments: [String]) throws {
        let command = try VMSimCommand.parseAsRoot(["ostep"] + arguments)
        let ostep = try #require(command as? OstepCommand)
        #expect(ostep.arguments == arguments)
    }

    @Test func isRegistered() {
        #expect(VMSimCommand.configuration.subcommands.contains { $0 == OstepCommand.self })
    }
}
