/// Why results could not be made into a report.
public struct HTMLReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One self-contained HTML page from VMSim's JSON results (`--html FILE`, `vmsim report`): for
/// each result its charts as inline SVG, each followed by a table of the numbers behind it, taken
/// from the JSON as it writes them. Several results of one command are also drawn on one chart
/// (two runs of a trace compared).
///
///     let page = try HTMLReport.render([("lru.json", json)], title: "sort")
public enum HTMLReport {
    /// The commands a report can draw.
    public static let commands = ["paging", "mrc", "heap", "translate", "buddy", "run"]

    /// The page for `documents` (each a name, such as its file, and the parsed JSON).
    /// - Throws: `HTMLReportError` for a document that is not VMSim output, of an unknown schema
    ///   version, or of a command with no report.
    /// - Complexity: O(size of the documents).
    public static func render(_ documents: [(name: String, json: JSONValue)], title: String) throws(HTMLReportError) -> String {
        var body = ""
        var byCommand: [String: [(String, JSONValue)]] = [:]
        for (name, doc) in documents {
            guard doc.members != nil, let command = doc["command"]?.string else {
                throw HTMLReportError("\(name): not VMSim output (no \"command\" in a JSON object)")
            }
            guard let version = doc["schemaVersion"]?.double else {
                throw HTMLReportError("\(name): not VMSim output (no \"schemaVersion\")")
            }
            guard version == Double(jsonSchemaVersion) else {
                throw HTMLReportError("\(name): schema version \(SeriesRendering.number(version)) is not one this VMSim reads (it reads \(jsonSchemaVersion))")
            }
            guard commands.contains(command) else {
                throw HTMLReportError("\(name): a '\(command)' result has no report (reports are made of \(commands.joined(separator: ", ")))")
            }
            byCommand[command, default: []].append((name, doc))
            var section = Section()
            if case .bool(true)? = doc["partial"] {
                section.note("Partial: the run was interrupted (Ctrl-C); these are the results of the input read before it.")
            }
            switch command {
            case "paging": paging(doc, &section)
            case "mrc": mrc(doc, &section)
            case "heap": heap(doc, &section)
            case "translate": translate(doc, &section)
            case "buddy": buddy(doc, &section)
            default:
                if let runs = doc["runs"]?.array {
                    for r in runs { run(r, &section) }
                } else {
                    run(doc, &section)
                }
            }
            let source = name.isEmpty ? "" : "<p class=\"source\">\(e(name))</p>\n"
            body += "<section>\n<h2>\(e(command)): \(e(subject(doc) ?? name))</h2>\n" + source + section.html + "</section>\n"
        }
        for (command, docs) in byCommand.sorted(by: { $0.key < $1.key }) where docs.count > 1 {
            var section = Section()
            compare(command, docs, &section)
            if !section.html.isEmpty {
                body += "<section>\n<h2>\(e(command)): \(docs.count) results compared</h2>\n" + section.html + "</section>\n"
            }
        }
        return page(title: title, body: body)
    }

    // MARK: The page

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(title))</title>
        <style>
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; margin: 0 auto; padding: 1em; max-width: 960px; }
        h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; } h3 { font-size: 1em; }
        .source { color: #666; font-size: .85em; margin-top: -.5em; }
        figure { margin: 1em 0 2em; }
        svg.chart { width: 100%; height: auto; max-width: 720px; display: block; background: #fff; }
        svg .title { font-weight: 600; font-size: 14px; } svg .tick { font-size: 11px; fill: #333; }
        svg .label { font-size: 12px; fill: #222; } svg .mark { font-size: 11px; fill: #000; }
        .numbers { max-height: 18em; overflow: auto; border: 1px solid #ddd; margin-top: .5em; }
        table { border-collapse: collapse; font-size: .85em; font-variant-numeric: tabular-nums; }
        th, td { padding: .15em .6em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
        th { background: #f4f4f4; position: sticky; top: 0; } td:first-child, th:first-child { text-align: left; }
        @media print { .numbers { max-height: none; overflow: visible; border: none; } figure { break-inside: avoid; } body { max-width: none; } }
        </style>
        </head>
        <body>
        <h1>\(e(title))</h1>
        <p>Made by VMSim from its JSON results. Every chart is followed by the numbers it draws.</p>
        \(body)</body>
        </html>

        """
    }

    /// The charts and tables of one result.
    struct Section {
        var html = ""
        var charts = 0

        mutating func chart(_ svg: String, caption: String, header: [String], rows: [[String]]) {
            charts += 1
            html += "<figure>\n" + svg + "\n<figcaption>\(e(caption))</figcaption>\n"
            html += "<div class=\"numbers\"><table>\n<thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for row in rows { html += "<tr>" + row.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n" }
            html += "</tbody></table></div>\n</figure>\n"
        }

        mutating func note(_ text: String) { html += "<p>\(e(text))</p>\n" }
    }

    static func e(_ s: String) -> String { SVGChart.escape(s) }

    /// A value as the JSON writes it (strings bare).
    static func text(_ v: JSONValue?) -> String {
        guard let v else { return "" }
        if case .string(let s) = v { return s }
        return v.serialized()
    }

    static func num(_ v: JSONValue?) -> Double { v?.double ?? 0 }

    /// A page title for a result: its command and what it ran on.
    public static func title(of doc: JSONValue) -> String? {
        guard let command = doc["command"]?.string else { return nil }
        return "vmsim \(command)" + (subject(doc).map { ": " + $0 } ?? "")
    }

    static func subject(_ doc: JSONValue) -> String? {
        doc["trace"]?["name"]?.string ?? doc["workload"]?.string ?? doc["script"]?.string
            ?? doc["runs"]?.array?.first?["workload"]?.string
    }

    /// A series' points as (x, value of `column`).
    static func points(_ series: JSONValue?, _ column: String) -> [(x: Double, y: Double)] {
        guard let s = series, let columns = s["columns"]?.array?.compactMap(\.string), let c = columns.firstIndex(of: column),
              let pts = s["points"]?.array else { return [] }
        return pts.compactMap { p in
            guard let a = p.array, a.count > c + 1, let x = a[0].double, let y = a[c + 1].double else { return nil }
            return (x, y)
        }
    }

    /// A series with at least two points, as its column names, its points' values (x first) and
    /// the same as the JSON writes them, for a chart and the table below it.
    static func unpack(_ series: JSONValue?) -> (columns: [String], values: [[Double]], rows: [[String]])? {
        guard let series, let columns = series["columns"]?.array?.compactMap(\.string), let pts = series["points"]?.array, pts.count > 1 else {
            return nil
        }
        return (columns, pts.map { ($0.array ?? []).map { $0.double ?? 0 } }, pts.map { ($0.array ?? []).map { text($0) } })
    }

    /// The table of several series on one x: one row per x of the first, a column per series.
    static func seriesTable(_ unit: String, _ lines: [(name: String, series: JSONValue?, column: String)]) -> ([String], [[String]]) {
        let header = [unit] + lines.map(\.name)
        var rows: [String: [String]] = [:]
        var order: [String] = []
        for (i, l) in lines.enumerated() {
            guard let pts = l.series?["points"]?.array, let columns = l.series?["columns"]?.array?.compactMap(\.string),
                  let c = columns.firstIndex(of: l.column) else { continue }
            for p in pts {
                guard let a = p.array, a.count > c + 1 else { continue }
                let x = text(a[0])
                if rows[x] == nil { rows[x] = Array(repeating: "", count: lines.count); order.append(x) }
                rows[x]![i] = text(a[c + 1])
            }
        }
        let sorted = order.sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
        return (header, sorted.map { [$0] + rows[$0]! })
    }

    // MARK: Commands

    static func paging(_ doc: JSONValue, _ s: inout Section) {
        let results = doc["results"]?.array ?? []
        let policies = unique(results.compactMap { $0["policy"]?.string })
        let frames = unique(results.compactMap { $0["frames"].map(text) })
        let rows = results.map { r in ["policy", "frames", "accesses", "misses", "missRatio", "evictions", "dirtyEvictions"].map { text(r[$0]) } }
        let header = ["policy", "frames", "accesses", "misses", "missRatio", "evictions", "dirtyEvictions"]
        if frames.count > 1 {
            let lines = policies.map { p in
                SVGChart.Line(name: p, points: results.filter { $0["policy"]?.string == p }.map { (num($0["frames"]), num($0["missRatio"])) })
            }
            s.chart(SVGChart.lines(title: "Miss ratio by memory size", xLabel: "frames (pages of memory)", yLabel: "miss ratio",
                                   lines: lines, xLog: true, xTicksAt: frames.count <= 12 ? frames.compactMap { Double($0) } : nil),
                    caption: "Misses per access for each policy at each size.", header: header, rows: rows)
        } else {
            s.chart(SVGChart.bars(title: "Miss ratio at \(frames.first ?? "?") frames", yLabel: "miss ratio", categories: policies,
                                  series: [("miss ratio", results.map { num($0["missRatio"]) })]),
                    caption: "Misses per access for each policy.", header: header, rows: rows)
        }
        let timed = results.filter { $0["series"]?["points"] != nil }
        if !timed.isEmpty {
            let named = timed.map { r in (name: "\(text(r["policy"])) @\(text(r["frames"]))", series: r["series"], column: "misses") }
            let (h, rows) = seriesTable("accesses", named)
            s.chart(SVGChart.lines(title: "Misses over time", xLabel: "accesses", yLabel: "misses so far",
                                   lines: named.map { SVGChart.Line(name: $0.name, points: points($0.series, "misses")) }),
                    caption: "Cumulative misses at evenly spaced points of the trace; the slope is the miss rate.", header: h, rows: rows)
            let ratios = named.map { n -> SVGChart.Line in
                let p = points(n.series, "misses")
                return SVGChart.Line(name: n.name, points: zip(p, p.dropFirst()).compactMap { a, b in
                    b.x > a.x ? (b.x, (b.y - a.y) / (b.x - a.x)) : nil
                })
            }
            s.chart(SVGChart.lines(title: "Miss ratio over time", xLabel: "accesses", yLabel: "misses / accesses in each interval",
                                   lines: ratios),
                    caption: "The miss ratio between consecutive points (the change in misses over the change in accesses): the trace's phases; the table holds the misses so far.",
                    header: h, rows: rows)
        }
    }

    /// The knee of a miss-ratio curve: the smallest size whose miss ratio is within 5% of the
    /// curve's range above its lowest value (where the working set fits).
    static func knee(_ pts: [(x: Double, y: Double)]) -> (x: Double, y: Double)? {
        guard let lo = pts.map(\.y).min(), let hi = pts.map(\.y).max(), hi > lo else { return nil }
        return pts.sorted { $0.x < $1.x }.first { $0.y <= lo + 0.05 * (hi - lo) }
    }

    static func mrc(_ doc: JSONValue, _ s: inout Section) {
        let pts = (doc["points"]?.array ?? []).map { (x: num($0["frames"]), y: num($0["missRatio"])) }
        let policy = text(doc["policy"])
        var marks: [SVGChart.Mark] = []
        if let k = knee(pts) {
            marks.append(.init(x: k.x, y: k.y, label: "knee: \(SVGChart.exact(k.x)) frames, miss ratio \(SVGChart.trim(k.y))"))
        }
        s.chart(SVGChart.lines(title: "Miss-ratio curve (\(policy))", xLabel: "memory (frames)", yLabel: "miss ratio",
                               lines: [.init(name: policy, points: pts)], xLog: true, marks: marks),
                caption: "The miss ratio at every memory size"
                    + (marks.isEmpty ? "." : "; the knee is the smallest size within 5% of the curve's range of its lowest miss ratio."),
                header: ["frames", "misses", "missRatio"],
                rows: (doc["points"]?.array ?? []).map { [text($0["frames"]), text($0["misses"]), text($0["missRatio"])] })
        if let ws = doc["workingSet"], let samples = ws["samples"]?.array, !samples.isEmpty {
            s.chart(SVGChart.lines(title: "Working set over time", xLabel: "accesses", yLabel: "pages in the working set",
                                   lines: [.init(name: "W(t, τ)", points: samples.map { (num($0["time"]), num($0["pages"])) })], markPeak: true),
                    caption: "Denning's working set: the distinct pages of the last τ accesses.",
                    header: ["time", "pages"], rows: samples.map { [text($0["time"]), text($0["pages"])] })
        }
    }

    static func heap(_ doc: JSONValue, _ s: inout Section) {
        let results = doc["results"]?.array ?? []
        let names = results.map { text($0["policy"]) }
        let header = ["policy", "heapSize", "peakPayload", "peakUtilization", "externalFragmentationMean", "mmaps", "mmappedBytesPeak"]
        s.chart(SVGChart.bars(title: "Heap size and peak payload", yLabel: "bytes", categories: names,
                              series: [("heap size", results.map { num($0["heapSize"]) }), ("peak payload", results.map { num($0["peakPayload"]) })]),
                caption: "The heap each allocator needed for the same requests, beside the most bytes requested at once.",
                header: header, rows: results.map { r in header.map { text(r[$0]) } })
        func overTime(_ column: String, _ title: String, _ y: String, _ caption: String) {
            let lines = results.map { (name: text($0["policy"]), series: $0["series"], column: column) }
            guard lines.contains(where: { !points($0.series, column).isEmpty }) else { return }
            let (h, rows) = seriesTable("ops", lines)
            s.chart(SVGChart.lines(title: title, xLabel: "operations", yLabel: y,
                                   lines: lines.map { SVGChart.Line(name: $0.name, points: points($0.series, column)) }, markPeak: column != "externalFragmentation"),
                    caption: caption, header: h, rows: rows)
        }
        overTime("heapSize", "Heap size over time", "bytes", "The top of each allocator's heap.")
        overTime("payload", "Payload over time", "bytes", "Bytes requested by the live blocks in the heap (the same trace for every allocator, so the same curve unless blocks are mapped).")
        overTime("externalFragmentation", "External fragmentation over time", "1 − largest free / free", "How scattered the free bytes are.")
        let layouts = results.filter { $0["peakLayout"]?.members != nil }
        if !layouts.isEmpty {
            let rows = layouts.map { r in
                (name: text(r["policy"]), cells: (r["peakLayout"]?["allocated"]?.array ?? []).map { num($0) }, span: num(r["peakLayout"]?["heapSize"]))
            }
            let width = layouts.map { ($0["peakLayout"]?["allocated"]?.array ?? []).count }.max() ?? 0
            let table = (0 ..< width).map { i in
                [String(i)] + layouts.map { l -> String in
                    let cells = l["peakLayout"]?["allocated"]?.array ?? []
                    return i < cells.count ? text(cells[i]) : ""
                }
            }
            s.chart(SVGChart.occupancy(title: "Heap occupancy at the peak payload", xLabel: "offset in the heap (bytes)", rows: rows),
                    caption: "Each allocator's heap when its payload peaked (" + layouts.map { "\(text($0["policy"])): operation \(text($0["peakLayout"]?["op"])), \(text($0["peakLayout"]?["cellBytes"])) bytes a cell" }.joined(separator: "; ")
                        + "): dark is allocated, light is free.",
                    header: ["cell"] + layouts.map { text($0["policy"]) + " allocated" }, rows: table)
        }
        if results.contains(where: { num($0["mmaps"]) > 0 }) {
            overTime("mapped", "Bytes mapped beside the heap", "bytes", "Chunks given their own mappings (glibc's M_MMAP_THRESHOLD).")
        }
    }

    static func translate(_ doc: JSONValue, _ s: inout Section) {
        let tlbs = doc["tlb"]?.array ?? []
        if !tlbs.isEmpty {
            s.chart(SVGChart.bars(title: "TLB hit ratio per level", yLabel: "hits / lookups", categories: tlbs.map { text($0["name"]) },
                                  series: [("hit ratio", tlbs.map { num($0["lookups"]) == 0 ? 0 : num($0["hits"]) / num($0["lookups"]) })]),
                    caption: "Hits per lookup of each TLB (hit ratio = hits / lookups).",
                    header: ["tlb", "lookups", "hits", "misses", "missRatio"],
                    rows: tlbs.map { t in ["name", "lookups", "hits", "misses", "missRatio"].map { text(t[$0]) } })
        }
        if let (columns, values, rows) = unpack(doc["series"]) {
            let levels = columns.filter { $0.hasSuffix(".lookups") }.map { String($0.dropLast(".lookups".count)) }
            let lines = levels.map { level -> SVGChart.Line in
                let l = columns.firstIndex(of: level + ".lookups")! + 1, h = columns.firstIndex(of: level + ".hits")! + 1
                var points: [(x: Double, y: Double)] = []
                for i in 1 ..< values.count where values[i].count > h && values[i][l] > values[i - 1][l] {
                    points.append((values[i][0], (values[i][h] - values[i - 1][h]) / (values[i][l] - values[i - 1][l])))
                }
                return SVGChart.Line(name: level, points: points)
            }
            s.chart(SVGChart.lines(title: "TLB hit ratio over time", xLabel: "accesses", yLabel: "hits / lookups in each interval",
                                   lines: lines, yMin: nil),
                    caption: "Each level's hit ratio between consecutive points (the change in hits over the change in lookups); the table holds the counts so far.",
                    header: ["accesses"] + columns, rows: rows)
            let walks = ["walks", "pageFaults"].compactMap { c in columns.firstIndex(of: c).map { (c, $0 + 1) } }
            s.chart(SVGChart.lines(title: "Page walks and faults over time", xLabel: "accesses", yLabel: "so far",
                                   lines: walks.map { w in SVGChart.Line(name: w.0, points: values.map { ($0[0], $0.count > w.1 ? $0[w.1] : 0) }) }),
                    caption: "Walks of the page table (TLB misses in the last level) and first-touch page faults.",
                    header: ["accesses"] + walks.map(\.0), rows: rows.map { r in [r[0]] + walks.map { r.count > $0.1 ? r[$0.1] : "" } })
        }
        let caches = doc["walkCaches"]?.array ?? []
        if !caches.isEmpty {
            s.chart(SVGChart.bars(title: "Page-walk cache hits per level", yLabel: "hits", categories: caches.map { text($0["level"]) },
                                  series: [("hits", caches.map { num($0["hits"]) })]),
                    caption: "Walk steps skipped by the paging-structure caches (\(text(doc["walks"])) walks, \(text(doc["walkReferences"])) table references).",
                    header: ["level", "entries", "hits"], rows: caches.map { c in ["level", "entries", "hits"].map { text(c[$0]) } })
        }
        if let levels = doc["pageTable"]?["tablesPerLevel"]?.array, !levels.isEmpty {
            s.chart(SVGChart.bars(title: "Page-table pages per level", yLabel: "tables", categories: levels.map { text($0["level"]) },
                                  series: [("tables", levels.map { num($0["tables"]) })]),
                    caption: "Tables of each level at the end (\(text(doc["pageTable"]?["pages"])) pages).",
                    header: ["level", "tables"], rows: levels.map { [text($0["level"]), text($0["tables"])] })
        }
    }

    static func buddy(_ doc: JSONValue, _ s: inout Section) {
        if let (columns, values, rows) = unpack(doc["series"]) {
            for zone in unique(columns.map { String($0[..<($0.lastIndex(of: ".") ?? $0.endIndex)]) }) {
                let mine = columns.enumerated().filter { $0.element.hasPrefix(zone + ".") }
                let lines = mine.filter { c in values.contains { $0.count > c.offset + 1 && $0[c.offset + 1] > 0 } }.map { c in
                    SVGChart.Line(name: "order " + c.element.dropFirst(zone.count + 1), points: values.map { ($0[0], $0.count > c.offset + 1 ? $0[c.offset + 1] : 0) })
                }
                s.chart(SVGChart.lines(title: "Free blocks per order over the script, zone \(zone)", xLabel: "script lines", yLabel: "free blocks",
                                       lines: lines),
                        caption: "The zone's free-list lengths after every line (orders that were never free are left out of the chart).",
                        header: ["lines"] + mine.map(\.element), rows: rows.map { r in [r[0]] + mine.map { r.count > $0.offset + 1 ? r[$0.offset + 1] : "" } })
            }
        }
        for zone in doc["zones"]?.array ?? [] {
            let nrFree = zone["nrFree"]?.array ?? []
            let orders = nrFree.indices.map { String($0) }
            let lists = zone["freeLists"]?.members ?? []
            let series = lists.map { (name: $0.0, values: ($0.1.array ?? []).map { num($0) }) }.filter { $0.values.contains { $0 > 0 } }
            let rows = orders.indices.map { o in [orders[o], text(nrFree[o])] + series.map { SeriesRendering.number($0.values[o]) } }
            s.chart(SVGChart.bars(title: "Free blocks per order, zone \(text(zone["name"]))", yLabel: "free blocks",
                                  categories: orders, series: series.isEmpty ? [("free", nrFree.map { num($0) })] : series, stacked: true),
                    caption: "The zone's free lists at the end of the script, by order and migrate type (\(text(zone["freePages"])) free pages of \(text(zone["managedPages"]))).",
                    header: ["order", "nrFree"] + series.map(\.name), rows: rows)
        }
    }

    static func run(_ doc: JSONValue, _ s: inout Section) {
        if doc["workload"] != nil, doc["runs"] == nil, s.charts > 0 { s.html += "<h3>\(e(text(doc["workload"])))</h3>\n" }
        let procs = doc["processes"]?.array ?? []
        if !procs.isEmpty {
            let names = procs.map { "\(text($0["name"])) (\(text($0["pid"])))" }
            let kinds = [("anon", "rssAnonPages"), ("file", "rssFilePages"), ("swap", "swapPages")]
            s.chart(SVGChart.bars(title: "Memory per process at the end", yLabel: "pages (4 KiB)", categories: names,
                                  series: kinds.map { k in (name: k.0, values: procs.map { num($0[k.1]) }) }, stacked: true),
                    caption: "Resident anonymous and file pages and swapped-out pages of each process.",
                    header: ["process", "rssAnonPages", "rssFilePages", "swapPages", "minorFaults", "majorFaults", "state"],
                    rows: procs.indices.map { i in [names[i]] + ["rssAnonPages", "rssFilePages", "swapPages", "minorFaults", "majorFaults", "state"].map { text(procs[i][$0]) } })
        }
        if let (columns, values, rows) = unpack(doc["series"]) {
            func line(_ c: String, _ name: String? = nil) -> SVGChart.Line? {
                guard let i = columns.firstIndex(of: c) else { return nil }
                return SVGChart.Line(name: name ?? c, points: values.map { ($0[0], $0.count > i + 1 ? $0[i + 1] : 0) })
            }
            func table(_ cs: [String]) -> ([String], [[String]]) {
                let idx = cs.compactMap { c in columns.firstIndex(of: c).map { (c, $0 + 1) } }
                return (["steps"] + idx.map(\.0), rows.map { r in [r[0]] + idx.map { r.count > $0.1 ? r[$0.1] : "" } })
            }
            let kinds = ["anon", "file", "shmem", "swapCached", "slab", "pageTables", "free"]
            let marks = ["watermarkMin", "watermarkLow", "watermarkHigh"]
            var (h, r) = table(kinds + marks)
            s.chart(SVGChart.stacked(title: "Memory over time", xLabel: "steps (workload lines and replay batches)", yLabel: "pages (4 KiB)",
                                     layers: kinds.compactMap { line($0) },
                                     overlays: zip(marks, ["min", "low", "high"]).compactMap { line($0.0, $0.1) }),
                    caption: "The machine's pages by what holds them, stacked, with the zones' watermarks (dashed: min, low, high): kswapd wakes below low and reclaims to high; below min, allocations reclaim directly.",
                    header: h, rows: r)
            let events = ["pgfault", "pgmajfault", "pgscanKswapd", "pgscanDirect", "pgstealKswapd", "pgstealDirect", "pswpout", "pswpin", "swapUsed"]
            (h, r) = table(events)
            s.chart(SVGChart.lines(title: "Faults, reclaim and swap over time", xLabel: "steps", yLabel: "events so far (swapUsed: pages)",
                                   lines: events.compactMap { line($0) }),
                    caption: "Page faults, pages scanned and reclaimed by kswapd and by direct reclaim, and swap traffic, counted from the start; swap in use in pages.",
                    header: h, rows: r)
            let processes = columns.filter { $0.hasSuffix(".anon") }.map { String($0.dropLast(5)) }
            if !processes.isEmpty {
                let rss = processes.map { p -> SVGChart.Line in
                    let a = columns.firstIndex(of: p + ".anon")! + 1, f = columns.firstIndex(of: p + ".file").map { $0 + 1 }
                    return SVGChart.Line(name: p, points: values.map { v in (v[0], v[a] + (f.map { v.count > $0 ? v[$0] : 0 } ?? 0)) })
                }
                (h, r) = table(processes.flatMap { [$0 + ".anon", $0 + ".file", $0 + ".swap"] })
                s.chart(SVGChart.lines(title: "Resident memory per process over time", xLabel: "steps", yLabel: "pages (anon + file)",
                                       lines: rss, markPeak: true),
                        caption: "Each process's resident set (anonymous and file pages); 0 once it has exited or been killed.",
                        header: h, rows: r)
            }
            let groups = columns.filter { $0.hasPrefix("cgroup ") && $0.hasSuffix(".current") }.map { String($0.dropLast(8)) }
            if !groups.isEmpty {
                (h, r) = table(groups.flatMap { [$0 + ".current", $0 + ".swap", $0 + ".pgscan", $0 + ".pgsteal"] })
                s.chart(SVGChart.lines(title: "Memory per cgroup over time", xLabel: "steps", yLabel: "pages charged (memory.current)",
                                       lines: groups.compactMap { line($0 + ".current", String($0.dropFirst(7))) }, markPeak: true),
                        caption: "Each cgroup's memory.current (it and its descendants); the table adds its swap and the pages its reclaim scanned and stole.",
                        header: h, rows: r)
                s.chart(SVGChart.lines(title: "Reclaim per cgroup over time", xLabel: "steps", yLabel: "pages scanned so far",
                                       lines: groups.compactMap { line($0 + ".pgscan", String($0.dropFirst(7))) }),
                        caption: "Pages scanned by reclaim in each cgroup (memory.stat pgscan: kswapd and direct, it and its descendants).",
                        header: h, rows: r)
            }
        }
        if let vm = doc["vmstat"] {
            let memory = ["nr_free_pages", "nr_anon_pages", "nr_file_pages", "nr_shmem", "nr_slab_unreclaimable", "nr_slab_reclaimable", "nr_page_table_pages", "nr_swapcached"]
            s.chart(SVGChart.bars(title: "Memory by kind at the end", yLabel: "pages (4 KiB)", categories: memory.map { String($0.dropFirst(3)) },
                                  series: [("pages", memory.map { num(vm[$0]) })]),
                    caption: "The machine's pages by what holds them (/proc/vmstat).", header: ["counter", "pages"],
                    rows: memory.map { [$0, text(vm[$0])] })
            let events = ["pgfault", "pgmajfault", "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "pswpin", "pswpout", "oom_kill"]
            s.chart(SVGChart.bars(title: "Faults and reclaim", yLabel: "events", categories: events,
                                  series: [("count", events.map { num(vm[$0]) })]),
                    caption: "Page faults, pages scanned and reclaimed by kswapd and direct reclaim, swap traffic and OOM kills (/proc/vmstat).",
                    header: ["counter", "count"], rows: events.map { [$0, text(vm[$0])] })
        }
        if let rec = doc["recording"], let ps = rec["processes"]?.array {
            let heaps = ps.filter { $0["heap"] != nil }
            if !heaps.isEmpty {
                let names = heaps.map { "\(text($0["name"])) (\(text($0["pid"])))" }
                s.chart(SVGChart.bars(title: "Heap allocated beside resident memory", yLabel: "bytes", categories: names,
                                      series: [("most bytes allocated at once", heaps.map { num($0["heap"]?["peakPayload"]) }),
                                               ("anonymous memory resident at the peak", heaps.map { num($0["peakAnonPages"]) * 4096 })]),
                        caption: "What the program asked malloc for, beside what the kernel kept resident: the gap a memory profiler cannot show.",
                        header: ["process", "peakPayload", "heapSize", "mmaps", "peakAnonPages"],
                        rows: heaps.indices.map { i in [names[i], text(heaps[i]["heap"]?["peakPayload"]), text(heaps[i]["heap"]?["heapSize"]),
                                                        text(heaps[i]["heap"]?["mmaps"]), text(heaps[i]["peakAnonPages"])] })
            }
        }
    }

    /// Several results of one command on one chart.
    static func compare(_ command: String, _ docs: [(String, JSONValue)], _ s: inout Section) {
        switch command {
        case "mrc":
            let lines = docs.map { SVGChart.Line(name: "\($0.0) (\(text($0.1["policy"])))", points: ($0.1["points"]?.array ?? []).map { (num($0["frames"]), num($0["missRatio"])) }) }
            let frames = unique(docs.flatMap { ($0.1["points"]?.array ?? []).map { text($0["frames"]) } }).sorted { (Double($0) ?? 0) < (Double($1) ?? 0) }
            let rows = frames.map { f in [f] + docs.map { d in text((d.1["points"]?.array ?? []).first { text($0["frames"]) == f }?["missRatio"]) } }
            s.chart(SVGChart.lines(title: "Miss-ratio curves compared", xLabel: "memory (frames)", yLabel: "miss ratio", lines: lines, xLog: true),
                    caption: "The curves of every result, on one scale.", header: ["frames"] + docs.map(\.0), rows: rows)
        case "paging":
            var lines: [SVGChart.Line] = []
            var rows: [[String]] = []
            for (name, doc) in docs {
                let results = doc["results"]?.array ?? []
                for p in unique(results.compactMap { $0["policy"]?.string }) {
                    let mine = results.filter { $0["policy"]?.string == p }
                    lines.append(.init(name: "\(name): \(p)", points: mine.map { (num($0["frames"]), num($0["missRatio"])) }))
                    rows += mine.map { [name, p, text($0["frames"]), text($0["missRatio"])] }
                }
            }
            s.chart(SVGChart.lines(title: "Miss ratio compared", xLabel: "frames", yLabel: "miss ratio", lines: lines, xLog: true),
                    caption: "Each result's policies at each size.", header: ["result", "policy", "frames", "missRatio"], rows: rows)
        case "heap":
            var cats: [String] = [], size: [Double] = [], payload: [Double] = []
            var rows: [[String]] = []
            for (name, doc) in docs {
                for r in doc["results"]?.array ?? [] {
                    cats.append("\(name): \(text(r["policy"]))")
                    size.append(num(r["heapSize"]))
                    payload.append(num(r["peakPayload"]))
                    rows.append([name, text(r["policy"]), text(r["heapSize"]), text(r["peakPayload"])])
                }
            }
            s.chart(SVGChart.bars(title: "Heap size compared", yLabel: "bytes", categories: cats, series: [("heap size", size), ("peak payload", payload)]),
                    caption: "Every allocator of every result.", header: ["result", "policy", "heapSize", "peakPayload"], rows: rows)
        default:
            break
        }
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        for i in items where seen.insert(i).inserted { out.append(i) }
        return out
    }
}
