import ArgumentParser
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
}

/// Splits comma-separated list options (`--policy fifo,lru --policy opt`).
func splitList(_ values: [String]) -> [String] {
    values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true).map { String($0).trimmed } }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}

/// Parses a list of policy names, or throws a usage error listing the valid ones.
func parsePolicies(_ values: [String]) throws -> [PolicySpec] {
    let names = splitList(values)
    guard !names.isEmpty else { throw ValidationError("give at least one policy with --policy") }
    var specs: [PolicySpec] = []
    for name in names {
        do {
            let spec = try PolicySpec(parsing: name)
            if !specs.contains(spec) { specs.append(spec) }
        } catch {
            throw ValidationError(error.description)
        }
    }
    return specs
}

/// Parses a list of frame counts (positive integers), or throws a usage error.
func parseFrames(_ values: [String]) throws -> [Int] {
    let items = splitList(values)
    guard !items.isEmpty else { throw ValidationError("give at least one memory size with --frames") }
    var frames: [Int] = []
    for item in items {
        guard let n = Int(item), n >= 0 else {
            throw ValidationError("--frames takes positive whole numbers of page frames; '\(item)' is not one")
        }
        guard n > 0 else {
            throw ValidationError("--frames 0: a memory needs at least 1 page frame")
        }
        guard n <= 1 << 31 - 2 else {
            throw ValidationError("--frames \(n) is more than VMSim simulates (at most \(1 << 31 - 2) frames)")
        }
        if !frames.contains(n) { frames.append(n) }
    }
    return frames
}

/// The help text listing every policy.
let policyHelp = ArgumentHelp(
    "Replacement policies, comma-separated or repeated (e.g. fifo,lru,clock:2,opt).",
    discussion: PolicyKind.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n"),
    valueName: "list")
