import VMSim

/// How a command prints its result.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Tables and sentences for a person.
    case text
    /// One JSON object (schemas in docs/json-schema.md and docs/buddy.md).
    case json
    /// One row per result, with a header.
    case csv
}

/// The one interface through which every command's result is printed: the same report as text,
/// JSON or CSV.
///
///     let out = PagingRenderer().render(report, as: .csv)
public protocol ReportRenderer {
    associatedtype Report
    /// The report for a person, ending in a newline.
    func text(_ report: Report) -> String
    /// The report as one JSON object.
    func json(_ report: Report) -> JSONValue
    /// The report as CSV (a header, then one row per result), or `nil` when the command's result
    /// is not a table of results.
    func csv(_ report: Report) -> String?
    /// The time series as CSV (a row per point of each result), or `nil` when there are none.
    func seriesCSV(_ report: Report) -> String?
}

/// The version of the JSON documents' layout (docs/json-schema.md): every document's first key.
public let jsonSchemaVersion = 1

extension ReportRenderer {
    public func csv(_ report: Report) -> String? { nil }
    public func seriesCSV(_ report: Report) -> String? { nil }

    /// The document with `schemaVersion` first, unless it has one.
    public static func versioned(_ v: JSONValue) -> JSONValue {
        guard case .object(let members) = v, !members.contains(where: { $0.0 == "schemaVersion" }) else { return v }
        return .object([("schemaVersion", .int(Int64(jsonSchemaVersion)))] + members)
    }

    /// Which formats this renderer offers.
    public func offers(_ format: OutputFormat, for report: Report) -> Bool {
        format != .csv || csv(report) != nil
    }

    /// The report in `format`, ending in a newline (JSON pretty-printed); CSV falls back to JSON
    /// where the renderer has none.
    /// - Complexity: linear in the size of the output.
    public func render(_ report: Report, as format: OutputFormat) -> String {
        switch format {
        case .text: return text(report)
        case .json: return Self.versioned(json(report)).serialized(pretty: true) + "\n"
        case .csv: return csv(report) ?? Self.versioned(json(report)).serialized(pretty: true) + "\n"
        }
    }
}

/// `vmsim paging`.
public struct PagingRenderer: ReportRenderer {
    public init() {}
    public func text(_ r: PagingReport) -> String {
        PagingReportRendering.traceLine(r.trace) + "\n\n" + PagingReportRendering.table(r)
    }
    public func json(_ r: PagingReport) -> JSONValue { PagingReportRendering.json(r) }
    public func csv(_ r: PagingReport) -> String? { PagingReportRendering.csv(r) }
    public func seriesCSV(_ r: PagingReport) -> String? { PagingReportRendering.seriesCSV(r) }
}

/// `vmsim mrc`.
public struct MRCRenderer: ReportRenderer {
    public init() {}
    public func text(_ r: MRCReport) -> String { MRCReportRendering.text(r) }
    public func json(_ r: MRCReport) -> JSONValue { MRCReportRendering.json(r) }
    public func csv(_ r: MRCReport) -> String? { MRCReportRendering.csv(r) }
}

/// `vmsim heap`; `timing` adds operations per second (a measurement, not a result).
public struct HeapRenderer: ReportRenderer {
    public var timing: Bool
    /// Whether invariants were checked after every operation (the text says so when they held).
    public var checked: Bool
    public init(timing: Bool = false, checked: Bool = false) {
        self.timing = timing
        self.checked = checked
    }
    public func text(_ r: HeapReport) -> String {
        var out = HeapReportRendering.traceLine(r) + "\n\n" + HeapReportRendering.table(r, timing: timing) + "\n"
            + HeapReportRendering.findings(r)
        if checked && r.results.allSatisfy({ $0.stats.invariantViolation == nil }) {
            out += "Invariants checked after every operation: all held.\n"
        }
        return out
    }
    public func json(_ r: HeapReport) -> JSONValue { HeapReportRendering.json(r, timing: timing) }
    public func csv(_ r: HeapReport) -> String? { HeapReportRendering.csv(r, timing: timing) }
    public func seriesCSV(_ r: HeapReport) -> String? { HeapReportRendering.seriesCSV(r) }
}

/// `vmsim translate TRACE`.
public struct TranslationRenderer: ReportRenderer {
    public init() {}
    public func text(_ r: TranslationReport) -> String { TranslationRendering.reportText(r) }
    public func json(_ r: TranslationReport) -> JSONValue { TranslationRendering.reportJSON(r) }
    /// One row: the run's totals, then each TLB level's lookups, hits and miss ratio.
    public func csv(_ r: TranslationReport) -> String? {
        var header = ["trace", "arch", "table", "accesses", "translations", "walks", "walkReferences", "referencesPerWalk",
                      "longestWalk", "pageFaults", "pageTablePages", "mappedPages"]
        var row = [r.trace.name, r.config.format.name, r.config.organisation.rawValue, String(r.trace.records), String(r.stats.translations),
                   String(r.stats.walks), String(r.stats.walkReferences), "\(r.stats.referencesPerWalk)", String(r.stats.longestWalk),
                   String(r.counts.pageFaults), String(r.tablePages), String(r.mappedPages)]
        for l in r.tlbLevels {
            header += [l.name + ".lookups", l.name + ".hits", l.name + ".missRatio"]
            row += [String(l.lookups), String(l.hits), "\(l.missRatio)"]
        }
        var csv = CSVTable(header: header)
        csv.append(row)
        return csv.render()
    }
    public func seriesCSV(_ r: TranslationReport) -> String? {
        r.series.map { SeriesRendering.csv(keys: ["trace"], [(key: [r.trace.name], series: $0)]) }
    }
}

/// `vmsim translate --explain`: the walks of one page table.
public struct ExplainRenderer: ReportRenderer {
    public var format: PageTableFormat
    /// The root table's physical address (CR3, satp).
    public var root: PhysicalAddress
    public init(format: PageTableFormat, root: PhysicalAddress) {
        self.format = format
        self.root = root
    }
    public func text(_ items: [ExplainedTranslation]) -> String { TranslationRendering.explainText(items, format: format, root: root) }
    public func json(_ items: [ExplainedTranslation]) -> JSONValue { TranslationRendering.explainJSON(items, format: format, root: root) }
}

/// The end of a `vmsim buddy` script: the machine, what the script printed, what failed.
public struct BuddyScriptResult {
    public var script: String
    public var memory: PhysicalMemory
    public var slub: SlabAllocator
    public var outputs: [BuddyReportRendering.Output]
    public var failures: [BuddyReportRendering.Output]
    /// Free blocks of each order in each zone after every line.
    public var series: Series?
    public init(script: String, memory: PhysicalMemory, slub: SlabAllocator,
                outputs: [BuddyReportRendering.Output], failures: [BuddyReportRendering.Output]) {
        self.script = script
        self.memory = memory
        self.slub = slub
        self.outputs = outputs
        self.failures = failures
    }
}

/// `vmsim buddy`: the text is what the script's `show` lines and failures printed, in order.
public struct BuddyRenderer: ReportRenderer {
    public init() {}
    public func text(_ r: BuddyScriptResult) -> String { r.outputs.map(\.text).joined() }
    public func json(_ r: BuddyScriptResult) -> JSONValue {
        let doc = BuddyReportRendering.json(script: r.script, memory: r.memory, slub: r.slub, outputs: r.outputs, failures: r.failures)
        guard let series = r.series, case .object(let members) = doc else { return doc }
        return .object(members + [("series", SeriesRendering.json(series))])
    }
    /// A row per zone: its pages, watermarks and free blocks of each order.
    public func csv(_ r: BuddyScriptResult) -> String? {
        let orders = r.memory.orders
        var csv = CSVTable(header: ["zone", "managedPages", "freePages", "min", "low", "high"] + (0 ..< orders).map { "free\($0)" })
        for (slot, zone) in r.memory.zones.enumerated() {
            let nrFree = r.memory.nrFreeCounts(zoneSlot: slot)
            csv.append([zone.type.kernelName, String(zone.managed), String(zone.nrFreePages), String(zone.watermarks.min),
                        String(zone.watermarks.low), String(zone.watermarks.high)] + (0 ..< orders).map { $0 < nrFree.count ? String(nrFree[$0]) : "0" })
        }
        return csv.render()
    }
}
