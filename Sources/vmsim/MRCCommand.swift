import ArgumentParser
import VMReport
import VMSim
import VMTrace
import VMDriver

struct MRCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrc",
        abstract: "Miss-ratio curves: a policy's miss ratio at every memory size, from one pass over a trace.",
        discussion: """
            For LRU (the default) the curve is exact at every size from 1 frame to --max-frames (or the \
            number of distinct pages), computed from the LRU stack distance of each reference in one \
            pass; it equals `vmsim paging --policy lru` size by size. --sample shards:RATE or \
            shards-fixed:SIZE estimates it from a spatial hash sample (SHARDS) for very large traces. \
            Other policies are not stack algorithms: give --sizes and each size is simulated, all in \
            parallel over the same pass. The LRU stack-distance histogram comes with LRU curves, and \
            --window TAU adds Denning's working-set size W(t, TAU).

            Examples:
              vmsim mrc trace.lackey.gz
              vmsim mrc big.oracleGeneral --sample shards:0.01 --csv
              vmsim mrc trace.lackey.gz --policy arc --sizes 16,64,256,1024
              vmsim mrc trace.lackey.gz --max-frames 512 --window 100000 --json
            """
    )

    @Argument(help: "The trace file; '-' reads standard input; .gz and .zst are decompressed.")
    var trace: String

    @Option(name: .long, help: ArgumentHelp(
        "The replacement policy; any policy other than lru needs --sizes.",
        discussion: PolicyKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
        valueName: "policy"))
    var policy: String = "lru"

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Memory sizes in page frames, comma-separated or repeated; required for policies other than lru.",
        valueName: "list"))
    var sizes: [String] = []

    @Option(name: .customLong("max-frames"), help: ArgumentHelp(
        "The largest size of an LRU curve (default: the number of distinct pages).", valueName: "n"))
    var maxFrames: Int?

    @Option(help: ArgumentHelp(
        "SHARDS sampling for LRU: shards:RATE (0 < RATE <= 1) or shards-fixed:SIZE (pages tracked).",
        valueName: "method"))
    var sample: String?

    @Option(help: ArgumentHelp("Also report the working-set size W(t, TAU) over windows of TAU references.",
                               valueName: "tau"))
    var window: Int?

    @OptionGroup var input: TraceOptions

    @Option(help: "Seed for randomised policies (random, nru).")
    var seed: UInt64 = 0

    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try request()
        if output.series { throw ValidationError("--series: a miss-ratio curve has no time series (its points are the --csv rows)") }
    }

    /// The library's request for these flags.
    func request() throws -> MRCRequest {
        let spec = try parsingFlag("--policy") { () throws(SpecError) in try PolicySpec(parsing: policy.trimmed) }
        let sizeList = sizes.isEmpty ? nil : try parseFrames(sizes, flag: "--sizes")
        let sampling = try sample.map { text in try parsingFlag("--sample") { () throws(SpecError) in try SHARDS.Mode(parsing: text) } }
        do {
            return try MRCRequest(policy: spec, sizes: sizeList, maxFrames: maxFrames, sampling: sampling, window: window, seed: seed)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        Interrupt.install()
        ProgressMeter.start(enabled: !output.noProgress)
        let request = try request()
        let options = try input.accessOptions()
        let report = try reportingInputErrors {
            try MRCReplay.run(path: trace, options: options, request: request)
        }
        try output.print(report, with: MRCRenderer())
    }
}
