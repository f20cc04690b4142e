import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver

struct BuddyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buddy",
        abstract: "Run a script against Linux's physical memory allocators: buddy, zones, per-CPU lists, SLUB.",
        discussion: """
            The script has one command a line and `#` comments:

            \(BuddyScript.summary)

            Each `show` prints its file in the kernel's format (/proc/buddyinfo, /proc/pagetypeinfo, \
            the zone part of /proc/zoneinfo, extfrag_index and unusable_index from debugfs, \
            /proc/slabinfo) or VMSim's counters (stats). A failed allocation prints a line and the \
            script goes on; a mistake in the script (unknown command or name, double free, order above \
            the maximum, bad size) stops it with FILE:LINE and exit status 2.

            Examples:
              vmsim buddy script.txt
              printf 'memory 64M\\nalloc a 3\\nshow buddyinfo\\n' | vmsim buddy -
            """
    )

    @Argument(help: "The script file; '-' reads standard input.")
    var script: String

    @Flag(help: "Print the final state and counters as one JSON object (schema in docs/buddy.md).")
    var json = false

    @Flag(help: "Print CSV: a row per zone with its free blocks of each order.")
    var csv = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts to this file.", valueName: "file"))
    var html: String?

    @Flag(name: .shortAndLong, help: "Print a line for every allocation and free.")
    var verbose = false

    func run() throws {
        let loaded = try reportingInputErrors { try BuddyScript.load(path: script) }
        var outputs: [BuddyReportRendering.Output] = []
        var runner = BuddyScriptRunner(file: loaded.name, verbose: verbose) { outputs.append(($0.line, $0.kind, $0.text)) }
        let renderer = BuddyRenderer()
        do {
            try runner.run(loaded.lines)
            try runner.finish()
        } catch {
            // What the script printed before its mistake, then the mistake.
            if !json && !csv { print(outputs.map(\.text).joined(), terminator: "") }
            _ = try reportingInputErrors { throw error }
        }
        guard let memory = runner.memory, let slub = runner.slub else { return }
        var result = BuddyScriptResult(script: loaded.name, memory: memory, slub: slub, outputs: outputs,
                                       failures: runner.failures.map { ($0.line, $0.kind, $0.text) })
        result.series = runner.finishedSeries()
        try writeHTML(html, renderer.json(result), renderer: renderer)
        print(renderer.render(result, as: json ? .json : csv ? .csv : .text), terminator: "")
    }
}
