import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver

struct PagingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paging",
        abstract: "Replay a memory-access trace under page-replacement policies at several memory sizes.",
        discussion: """
            Every (policy, frames) pair runs over one pass of the trace, in parallel across cores. \
            The table gives accesses, hits, misses (page faults, including the first touch of each \
            page), the miss ratio and, when the trace has stores, the dirty evictions (write-backs).

            Examples:
              vmsim paging trace.lackey.gz --policy fifo,lru,clock,opt --frames 64,256,1024
              vmsim paging pages.txt --format plain --policy lru --frames 3 --json
            """
    )

    @Argument(help: "The trace file; '-' reads standard input; .gz and .zst are decompressed.")
    var trace: String

    @Option(name: .long, parsing: .singleValue, help: policyHelp)
    var policy: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Memory sizes in page frames, comma-separated or repeated (e.g. 16,64,256).", valueName: "list"))
    var frames: [String] = []

    @OptionGroup var input: TraceOptions

    @Option(help: "Seed for randomised policies (random, nru).")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    @OptionGroup var recording: SeriesOption

    func validate() throws {
        _ = try parsePolicies(policy)
        _ = try parseFrames(frames)
        if recording.noSeries && output.series { throw ValidationError("--series prints the time series, which --no-series does not record") }
    }

    func run() throws {
        Interrupt.install()
        SeriesSampler.isEnabled = !recording.noSeries
        ProgressMeter.start(enabled: !output.noProgress)
        let policies = try parsePolicies(policy)
        let sizes = try parseFrames(frames)
        let options = try input.accessOptions()
        let report = try reportingInputErrors {
            try PagingReplay.run(path: trace, options: options, policies: policies, frames: sizes, seed: seed)
        }
        try output.print(report, with: PagingRenderer())
    }
}
