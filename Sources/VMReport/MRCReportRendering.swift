import VMSim

/// Renders `vmsim mrc` results as text, JSON or CSV.
public enum MRCReportRendering {
    /// Text tables list every size up to this many points; longer curves are thinned.
    public static let fullTableLimit = 200

    /// A one-line description of how the curve was computed.
    public static func methodLine(_ report: MRCReport) -> String {
        switch report.method {
        case .stackDistance:
            return "exact LRU curve from stack distances (one pass)"
        case .shards:
            let s = report.sampling!
            let mode: String
            switch s.mode {
            case .fixedRate(let r): mode = "SHARDS, fixed rate \(r)"
            case .fixedSize(let n): mode = "SHARDS, fixed size \(groupThousands(n)) pages, final rate \(formatFixed(s.finalRate, digits: 6))"
            }
            return "estimated LRU curve: \(mode); \(groupThousands(s.sampledReferences)) references and "
                + "\(groupThousands(s.sampledPages)) pages sampled; about \(groupThousands(s.estimatedDistinctPages)) distinct pages"
        case .simulation:
            return "\(report.policy) simulated at \(report.points.count) sizes in parallel"
        }
    }

    /// The points a text table shows: all of them up to `fullTableLimit`; for longer curves every
    /// size up to 20, then sizes growing by about 10% each (always the last).
    static func shownPoints(_ points: [MRCPoint]) -> [MRCPoint] {
        guard points.count > fullTableLimit else { return points }
        var picked: [Int] = []
        var i = 0
        while i < points.count {
            picked.append(i)
            i = i < 20 ? i + 1 : max(i + 1, i + i / 10)
        }
        if picked.last != points.count - 1 { picked.append(points.count - 1) }
        return picked.map { points[$0] }
    }

    /// The text report: the curve, then the reuse-distance histogram and the working set.
    public static func text(_ report: MRCReport) -> String {
        var out = PagingReportRendering.traceLine(report.trace) + "\n" + methodLine(report) + "\n\n"
        var table = TextTable(columns: [.init("frames", alignment: .right), .init("misses", alignment: .right),
                                        .init("miss ratio", alignment: .right)])
        let shown = shownPoints(report.points)
        for p in shown {
            table.append([String(p.frames), String(p.misses), formatFixed(p.missRatio, digits: 4)])
        }
        out += table.render()
        if shown.count < report.points.count {
            out += "(\(shown.count) of \(report.points.count) sizes shown; --csv or --json lists every size)\n"
        }
        if let buckets = report.distances {
            out += "\nLRU stack distance (distinct pages since the previous reference to the page, itself included)\n"
            var h = TextTable(columns: [.init("distance"), .init("references", alignment: .right)])
            for b in buckets { h.append([b.lower == b.upper ? String(b.lower) : "\(b.lower)-\(b.upper)", String(b.references)]) }
            if let cold = report.coldMisses { h.append(["first reference", String(cold)]) }
            out += h.render()
        }
        if let ws = report.workingSet {
            out += "\nWorking set W(t, \(ws.window)): mean \(formatFixed(ws.mean, digits: 1)) pages, maximum \(ws.maximum)\n"
            var w = TextTable(columns: [.init("t", alignment: .right), .init("W(t, τ)", alignment: .right)])
            let step = max(1, (ws.samples.count + 19) / 20)
            for (i, s) in ws.samples.enumerated() where i % step == 0 || i == ws.samples.count - 1 {
                w.append([String(s.time), String(s.pages)])
            }
            out += w.render()
            if ws.samples.count > 20 { out += "(\(ws.samples.count) samples; --json lists all)\n" }
        }
        return out
    }

    /// The JSON document described in docs/json-schema.md.
    public static func json(_ report: MRCReport) -> JSONValue {
        let method: String
        switch report.method {
        case .stackDistance: method = "stack-distance"
        case .shards: method = "shards"
        case .simulation: method = "simulation"
        }
        var sampling = JSONValue.null
        if let s = report.sampling {
            var rate = JSONValue.null, maxPages = JSONValue.null, name = "shards"
            switch s.mode {
            case .fixedRate(let r): rate = .double(r)
            case .fixedSize(let n): maxPages = .int(Int64(n)); name = "shards-fixed"
            }
            sampling = .object([
                ("method", .string(name)),
                ("rate", rate),
                ("maxPages", maxPages),
                ("finalRate", .double(s.finalRate)),
                ("sampledReferences", .uint(s.sampledReferences)),
                ("sampledPages", .int(Int64(s.sampledPages))),
                ("estimatedDistinctPages", .int(Int64(s.estimatedDistinctPages))),
            ])
        }
        let distances: JSONValue = report.distances.map { buckets in
            .array(buckets.map { .object([("min", .int(Int64($0.lower))), ("max", .int(Int64($0.upper))),
                                          ("references", .uint($0.references))]) })
        } ?? .null
        let workingSet: JSONValue = report.workingSet.map { ws in
            .object([
                ("window", .int(Int64(ws.window))),
                ("mean", .double(ws.mean)),
                ("max", .int(Int64(ws.maximum))),
                ("samples", .array(ws.samples.map { .object([("time", .uint($0.time)), ("pages", .int(Int64($0.pages)))]) })),
            ])
        } ?? .null
        return .object([
            ("command", .string("mrc")),
            ("trace", PagingReportRendering.traceJSON(report.trace)),
            ("policy", .string(report.policy.description)),
            ("method", .string(method)),
            ("sampling", sampling),
            ("points", .array(report.points.map { .fragment(pointJSON($0)) })),
            ("coldMisses", report.coldMisses.map { .uint($0) } ?? .null),
            ("reuseDistance", distances),
            ("workingSet", workingSet),
        ])
    }

    /// One point as a one-line JSON object (a curve can have millions of points).
    static func pointJSON(_ p: MRCPoint) -> String {
        var out = "{\"frames\": "
        out += String(p.frames)
        out += ", \"misses\": "
        out += String(p.misses)
        out += ", \"missRatio\": "
        out += JSONValue.double(p.missRatio).serialized()
        out += "}"
        return out
    }

    /// CSV with one row per point: `frames,misses,missRatio` (written directly, not through
    /// `CSVTable`: a curve can have millions of rows and no field needs quoting).
    public static func csv(_ report: MRCReport) -> String {
        var out = "frames,misses,missRatio\n"
        out.reserveCapacity(report.points.count * 32 + 32)
        for p in report.points {
            out += String(p.frames)
            out += ","
            out += String(p.misses)
            out += ","
            out += p.missRatio.description
            out += "\n"
        }
        return out
    }
}
