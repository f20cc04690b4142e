import ArgumentParser
import VMDriver
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

/// `--json` / `--csv`: machine-readable output instead of the text table; `--html FILE`: a report
/// with charts as well.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object (schema in docs/json-schema.md).")
    var json = false

    @Flag(help: "Print CSV, one row per result.")
    var csv = false

    @Flag(help: "With --csv: print the time series instead, one row per point of each result.")
    var series = false

    @Option(help: ArgumentHelp("Also write a self-contained HTML report with charts to this file.", valueName: "file"))
    var html: String?

    @Flag(help: "No progress line on standard error (shown only on a terminal, for runs over two seconds).")
    var noProgress = false

    func validate() throws {
        if json && csv { throw ValidationError("--json and --csv cannot be used together") }
        if series && !csv { throw ValidationError("--series goes with --csv (the JSON holds the series already)") }
    }

    var format: OutputFormat { json ? .json : csv ? .csv : .text }

    /// Prints `report` through `renderer` in the chosen format, and writes the HTML report if asked.
    /// After Ctrl-C the results are marked partial and the command exits 130.
    func print<R: ReportRenderer>(_ report: R.Report, with renderer: R) throws {
        ProgressMeter.finish()
        // The JSON document only when something uses it (the HTML page, or --json).
        let json = html != nil || format == .json ? partialMarked(R.versioned(renderer.json(report))) : nil
        if let json { try writeHTML(html, [("", json)]) }
        if series {
            guard let text = renderer.seriesCSV(report) else { throw ValidationError("this command records no time series") }
            Swift.print(text, terminator: "")
        } else if format == .json, let json {
            Swift.print(json.serialized(pretty: true))
        } else {
            Swift.print(renderer.render(report, as: format), terminator: "")
        }
        try endIfInterrupted()
    }
}

/// The document with `"partial": true` after its schema version when Ctrl-C stopped the run.
func partialMarked(_ json: JSONValue) -> JSONValue {
    guard Interrupt.requested, case .object(var members) = json else { return json }
    members.insert(("partial", .bool(true)), at: members.first?.0 == "schemaVersion" ? 1 : 0)
    return .object(members)
}

/// After Ctrl-C: says that the results printed are partial and exits 130.
func endIfInterrupted() throws {
    guard Interrupt.requested else { return }
    printError("vmsim: interrupted (Ctrl-C): the results are those of the input read before it; partial")
    throw ExitCode(Interrupt.exitStatus)
}

/// `--no-series`, for the commands whose time series cost something to record.
struct SeriesOption: ParsableArguments {
    @Flag(name: .customLong("no-series"), help: "Do not record the time series (none in --json or the HTML report).")
    var noSeries = false
}

/// Writes the HTML report of one JSON result to `path` (nothing when nil), atomically; a failure
/// is a message and exit status 2, with no file left.
func writeHTML<R: ReportRenderer>(_ path: String?, _ json: JSONValue, renderer: R) throws {
    try writeHTML(path, [("", partialMarked(R.versioned(json)))])
}

/// Writes the HTML report of several JSON results (nothing when `path` is nil).
func writeHTML(_ path: String?, _ documents: [(name: String, json: JSONValue)]) throws {
    guard let path else { return }
    // Through the JSON text, so that the page is exactly what `vmsim report` makes of the same output.
    var parsed: [(name: String, json: JSONValue)] = []
    for d in documents {
        switch Result(catching: { () throws(JSONParseError) in try JSONValue.parse(d.json.serialized()) }) {
        case .success(let v): parsed.append((d.name, v))
        case .failure(let e): printError("vmsim: internal error: the JSON does not read back: \(e)"); throw ExitCode(70)
        }
    }
    let title = parsed.compactMap { HTMLReport.title(of: $0.json) }.first ?? "VMSim report"
    let page: String
    switch Result(catching: { () throws(HTMLReportError) in try HTMLReport.render(parsed, title: title) }) {
    case .success(let p): page = p
    case .failure(let e): printError("vmsim: \(e)"); throw ExitCode(2)
    }
    try reportingInputErrors { try OutputFile.writeAtomically(page, to: path) }
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
