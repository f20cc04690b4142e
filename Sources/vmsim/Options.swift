import ArgumentParser
import VMReport
import VMSim
import VMTrace

extension TraceFormat: ExpressibleByArgument {}

/// How a trace is read: shared by every trace-driven subcommand.
struct TraceOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The trace format; detected from the file name and content when omitted.",
        discussion: TraceFormat.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
        valueName: "format"))
    var format: TraceFormat?

    @Option(name: .customLong("page-size"), help: ArgumentHelp(
        "Page size for formats with byte addresses (lackey, din): 4096, 4K, 2M, 1G; a power of two.",
        valueName: "size"))
    var pageSizeText: String = "4K"

    var pageSize: PageSize {
        get throws {
            guard let size = PageSize(parsing: pageSizeText) else {
                throw ValidationError("--page-size '\(pageSizeText)' is not a power-of-two byte size such as 4096, 4K or 2M")
            }
            return size
        }
    }

    func validate() throws {
        _ = try pageSize
    }

    func accessOptions() throws -> AccessTraceOptions {
        AccessTraceOptions(format: format, pageSize: try pageSize)
    }
}

/// `--json` / `--csv`: machine-readable output instead of the text table.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object (schema in docs/json-schema.md).")
    var json = false

    @Flag(help: "Print CSV, one row per result.")
    var csv = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv cannot be used together") }
    }

    var format: OutputFormat { json ? .json : csv ? .csv : .text }

    /// Prints `report` through `renderer` in the chosen format.
    func print<R: ReportRenderer>(_ report: R.Report, with renderer: R) {
        Swift.print(renderer.render(report, as: format), terminator: "")
    }
}

/// Runs a library parser, turning its `SpecError` into a usage error that names the flag.
func parsingFlag<T>(_ flag: String, _ body: () throws(SpecError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw ValidationError("\(flag): \(error.description)")
    }
}

/// Parses a list of policy names, or throws a usage error listing the valid ones.
func parsePolicies(_ values: [String]) throws -> [PolicySpec] {
    try parsingFlag("--policy") { () throws(SpecError) in try PolicySpec.parseList(values) }
}

/// Parses a list of frame counts (positive integers), or throws a usage error.
func parseFrames(_ values: [String], flag: String = "--frames") throws -> [Int] {
    try parsingFlag(flag) { () throws(SpecError) in try FrameCount.parseList(values) }
}

/// The help text listing every policy.
let policyHelp = ArgumentHelp(
    "Replacement policies, comma-separated or repeated (e.g. fifo,lru,clock:2,opt).",
    discussion: PolicyKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
    valueName: "list")

extension String {
    var trimmed: String { String(SpecList.trim(Substring(self))) }
}
