import VMSim

/// Renders `vmsim paging` results as a table, JSON or CSV.
public enum PagingReportRendering {
    /// The text table: policy, frames, accesses, hits, misses, miss ratio, and the dirty evictions
    /// (write-backs) when the trace has stores.
    public static func table(_ report: PagingReport) -> String {
        let showDirty = report.trace.writes > 0
        var columns: [TextTable.Column] = [
            .init("policy"), .init("frames", alignment: .right), .init("accesses", alignment: .right),
            .init("hits", alignment: .right), .init("misses", alignment: .right), .init("miss ratio", alignment: .right),
        ]
        if showDirty { columns.append(.init("dirty evictions", alignment: .right)) }
        var table = TextTable(columns: columns)
        for r in report.results {
            var row = [r.policy.description, String(r.frames), String(r.stats.accesses), String(r.stats.hits),
                       String(r.stats.misses), formatFixed(r.stats.missRatio, digits: 4)]
            if showDirty { row.append(String(r.stats.dirtyEvictions)) }
            table.append(row)
        }
        return table.render()
    }

    /// One line describing the trace.
    public static func traceLine(_ trace: TraceSummary) -> String {
        var parts = ["\(trace.name) (\(trace.format)"]
        if let size = trace.pageSize { parts[0] += ", \(size) pages" }
        parts[0] += ")"
        parts.append("\(groupThousands(trace.records)) references")
        if let d = trace.distinctPages { parts.append("\(groupThousands(d)) distinct pages") }
        if trace.writes > 0 { parts.append("\(groupThousands(trace.writes)) stores") }
        return parts.joined(separator: ", ")
    }

    /// The JSON document described in docs/json-schema.md.
    public static func json(_ report: PagingReport) -> JSONValue {
        .object([
            ("command", .string("paging")),
            ("trace", traceJSON(report.trace)),
            ("seed", .uint(report.seed)),
            ("results", .array(report.results.map { r in
                .object([
                    ("policy", .string(r.policy.description)),
                    ("frames", .int(Int64(r.frames))),
                    ("accesses", .uint(r.stats.accesses)),
                    ("hits", .uint(r.stats.hits)),
                    ("misses", .uint(r.stats.misses)),
                    ("missRatio", .double(r.stats.missRatio)),
                    ("evictions", .uint(r.stats.evictions)),
                    ("dirtyEvictions", .uint(r.stats.dirtyEvictions)),
                    ("series", r.series.map(SeriesRendering.json) ?? .null),
                ])
            })),
        ])
    }

    /// The trace object shared by the JSON documents of trace-driven commands.
    public static func traceJSON(_ trace: TraceSummary) -> JSONValue {
        .object([
            ("name", .string(trace.name)),
            ("format", .string(trace.format)),
            ("pageSize", trace.pageSize.map { .uint($0.bytes) } ?? .null),
            ("accesses", .uint(trace.records)),
            ("writes", .uint(trace.writes)),
            ("distinctPages", trace.distinctPages.map { .int(Int64($0)) } ?? .null),
        ])
    }

    /// `--csv --series`: misses over time, a row per point of each result.
    public static func seriesCSV(_ report: PagingReport) -> String {
        SeriesRendering.csv(keys: ["policy", "frames"], report.results.compactMap { r in
            r.series.map { (key: [r.policy.description, String(r.frames)], series: $0) }
        })
    }

    /// CSV with one row per result.
    public static func csv(_ report: PagingReport) -> String {
        var csv = CSVTable(header: ["policy", "frames", "accesses", "hits", "misses", "missRatio", "evictions", "dirtyEvictions"])
        for r in report.results {
            csv.append([r.policy.description, String(r.frames), String(r.stats.accesses), String(r.stats.hits),
                        String(r.stats.misses), "\(r.stats.missRatio)", String(r.stats.evictions), String(r.stats.dirtyEvictions)])
        }
        return csv.render()
    }
}
