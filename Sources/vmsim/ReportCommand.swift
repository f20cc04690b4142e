import ArgumentParser
import VMReport
import VMTrace

/// `vmsim report RESULT.json... -o FILE.html`: one HTML page of charts from saved results.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Make one self-contained HTML report with charts from saved --json results.",
        discussion: """
            Each result (the --json output of paging, mrc, heap, translate, buddy or run) becomes a \
            section of charts, each followed by the numbers it draws; several results of one command \
            are also drawn on one chart, to compare them. The page needs no network and no script.

            Examples:
              vmsim mrc trace.lackey.gz --json > lru.json; vmsim report lru.json -o lru.html
              vmsim report before.json after.json -o compare.html
            """
    )

    @Argument(help: "Result files written by --json ('-' reads standard input).")
    var results: [String] = []

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The HTML file to write.", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("The page's title (default: the first result's command and trace).", valueName: "text"))
    var title: String?

    func validate() throws {
        if results.isEmpty { throw ValidationError("give at least one result file") }
        if results.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input ('-') can be read once") }
    }

    func run() throws {
        var documents: [(name: String, json: JSONValue)] = []
        for path in results {
            let text = try reportingInputErrors {
                try ByteStream.open(path).readText(limit: 1 << 30, what: "a result file")
            }
            switch Result(catching: { () throws(JSONParseError) in try JSONValue.parse(text) }) {
            case .success(let v): documents.append((path == "-" ? "<stdin>" : path, v))
            case .failure(let e):
                printError("vmsim: \(path == "-" ? "<stdin>" : path): not VMSim output: the JSON does not parse (\(e))")
                throw ExitCode(2)
            }
        }
        let page: String
        switch Result(catching: { () throws(HTMLReportError) in
            try HTMLReport.render(documents, title: title ?? documents.compactMap { HTMLReport.title(of: $0.json) }.first ?? "VMSim report")
        }) {
        case .success(let p): page = p
        case .failure(let e): printError("vmsim: \(e)"); throw ExitCode(2)
        }
        try reportingInputErrors { try OutputFile.writeAtomically(page, to: output) }
    }
}
