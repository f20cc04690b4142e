import VMSim

/// Renders `vmsim heap` results as a table with diagnostics, JSON or CSV.
public enum HeapReportRendering {
    /// One line describing the trace and the model.
    public static func traceLine(_ report: HeapReport) -> String {
        let m = report.model
        var parts = ["\(report.trace.name) (\(report.trace.format)), \(groupThousands(report.trace.records)) ops"]
        var model = "alignment \(m.alignment), header \(m.header), \(m.coalescing.rawValue) coalescing"
        if m.base != 0 { model += ", base 0x" + String(m.base, radix: 16) }
        if let limit = m.heapLimit { model += ", heap limit \(ByteSize.format(limit))" }
        if m.initialHeap > 0 { model += ", initial heap \(ByteSize.format(m.initialHeap))" }
        if let t = m.mmap {
            model += ", requests of \(ByteSize.format(t.threshold)) or more mapped" + (t.dynamic ? " (threshold dynamic, as glibc's)" : "")
        }
        model += ", searches counted on a list in \(m.order.rawValue) order"
        parts.append(model)
        return parts.joined(separator: "; ")
    }

    /// The comparison table: one row per policy. `timing` adds simulated operations per second of
    /// CPU time (a measurement, different on every run, so not part of the results by default).
    public static func table(_ report: HeapReport, timing: Bool = false) -> String {
        var columns: [TextTable.Column] = [
            .init("policy"), .init("heap size", alignment: .right), .init("peak payload", alignment: .right),
            .init("util", alignment: .right), .init("int frag max", alignment: .right),
            .init("ext frag mean/max", alignment: .right), .init("free blocks max", alignment: .right),
            .init("search mean/max", alignment: .right),
        ]
        let mapping = report.model.mmap != nil
        if mapping {
            columns.insert(contentsOf: [.init("mmaps", alignment: .right), .init("mapped peak", alignment: .right),
                                        .init("threshold at exit", alignment: .right)], at: 3)
        }
        if timing { columns.append(.init("ops/s", alignment: .right)) }
        var table = TextTable(columns: columns)
        for r in report.results {
            let s = r.stats
            var row = [
                r.policy.rawValue, groupThousands(s.heapSize), groupThousands(s.peakPayload), formatFixed(s.peakUtilization, digits: 4),
                groupThousands(s.internalFragmentationMax),
                formatFixed(s.externalFragmentationMean, digits: 3) + "/" + formatFixed(s.externalFragmentationMax, digits: 3),
                groupThousands(s.freeBlocksMax),
                formatFixed(s.search.mean, digits: 1) + "/" + groupThousands(s.search.longest),
            ]
            if mapping {
                row.insert(contentsOf: [groupThousands(s.mmaps), groupThousands(s.mmappedBytesPeak),
                                        s.mmapThresholdAtExit.map(groupThousands) ?? "-"], at: 3)
            }
            if timing { row.append(r.opsPerSecond > 0 ? groupThousands(UInt64(r.opsPerSecond)) : "-") }
            table.append(row)
        }
        return table.render()
    }

    /// A diagnostic as `FILE:LINE: message`.
    public static func describe(_ d: HeapDiagnostic, _ report: HeapReport) -> String {
        let id = report.details.describe(d.id)
        let message: String
        switch d.kind {
        case .doubleFree: message = "double free of \(id) (freed at line \(d.earlierLine))"
        case .invalidFree: message = "free of \(id), which was never allocated"
        case .reallocOfFreed: message = "realloc of \(id), which was freed at line \(d.earlierLine)"
        case .invalidRealloc: message = "realloc of \(id), which was never allocated"
        case .heapLimit:
            let limit = report.model.heapLimit.map { "--heap-limit \(ByteSize.format($0))" } ?? "the 128 TiB address space"
            message = "allocation of \(groupThousands(d.size)) bytes for \(id) would grow the heap past \(limit); it fails"
        case .tooLarge: message = "allocation of \(groupThousands(d.size)) bytes for \(id) is larger than any heap; it fails"
        case .idReused: message = "\(id) is allocated again while its block (allocated at line \(d.earlierLine)) is live; that block leaks"
        }
        return "\(report.trace.name):\(d.line): \(message)"
    }

    /// The diagnostics, the unfreed blocks and memcheck's summary, after the table.
    /// Diagnostics about the trace itself are the same under every policy and are printed once;
    /// allocation failures are printed per policy.
    public static func findings(_ report: HeapReport, limit: Int = 20) -> String {
        guard let first = report.results.first else { return "" }
        var out = ""
        let traceKinds: Set<HeapDiagnostic.Kind> = [.doubleFree, .invalidFree, .reallocOfFreed, .invalidRealloc, .idReused]
        let common = first.stats.diagnostics.filter { traceKinds.contains($0.kind) }
        let commonCount = traceKinds.reduce(UInt64(0)) { $0 + first.stats.count($1) }
        if commonCount == 0 {
            out += "No double frees, invalid frees or reallocs of freed blocks.\n"
        } else {
            out += "Diagnostics (\(groupThousands(commonCount))):\n"
            for d in common.prefix(limit) { out += "  " + describe(d, report) + "\n" }
            if commonCount > UInt64(min(limit, common.count)) { out += "  ... and \(groupThousands(commonCount - UInt64(min(limit, common.count)))) more (all counted in --json)\n" }
        }
        for r in report.results {
            let failures = r.stats.diagnostics.filter { !traceKinds.contains($0.kind) }
            let count = r.stats.count(.heapLimit) + r.stats.count(.tooLarge)
            guard count > 0 else { continue }
            out += "\(r.policy.rawValue): \(groupThousands(count)) failed allocation\(count == 1 ? "" : "s"):\n"
            for d in failures.prefix(limit) { out += "  " + describe(d, report) + "\n" }
            if count > UInt64(min(limit, failures.count)) { out += "  ... and \(groupThousands(count - UInt64(min(limit, failures.count)))) more\n" }
        }
        let s = first.stats
        if s.inUseAtExitBlocks == 0 {
            out += "Unfreed at exit: nothing.\n"
        } else {
            out += "Unfreed at exit: \(groupThousands(s.inUseAtExitBytes)) bytes in \(groupThousands(s.inUseAtExitBlocks)) blocks"
                + (s.leaks.isEmpty ? ".\n" : "; the largest:\n")
            for leak in s.leaks {
                out += "  \(report.trace.name):\(leak.line): \(groupThousands(leak.size)) bytes (\(report.details.describe(leak.id)))\n"
            }
        }
        if let m = report.details.memcheck {
            let agrees = report.results.allSatisfy { m.matches($0.stats) }
            out += "memcheck's HEAP SUMMARY: \(groupThousands(m.allocs)) allocs, \(groupThousands(m.frees)) frees, "
                + "\(groupThousands(m.bytesAllocated)) bytes allocated; in use at exit \(groupThousands(m.inUseAtExitBytes)) bytes in "
                + "\(groupThousands(m.inUseAtExitBlocks)) blocks: "
            if agrees {
                out += "the replay agrees.\n"
            } else {
                out += "the replay counts \(groupThousands(s.allocs)) allocs, \(groupThousands(s.frees)) frees, \(groupThousands(s.bytesAllocated)) bytes; "
                    + "\(groupThousands(s.inUseAtExitBytes)) bytes in \(groupThousands(s.inUseAtExitBlocks)) blocks.\n"
            }
        }
        for r in report.results {
            if let v = r.stats.invariantViolation { out += "\(r.policy.rawValue): INVARIANT VIOLATED \(v)\n" }
        }
        return out
    }

    /// A warning as `FILE:LINE: warning: message`.
    public static func describe(_ w: TraceWarning, trace: String) -> String {
        if let line = w.line { return "\(trace):\(line): warning: \(w.message)" }
        return "\(trace): warning: \(w.message)"
    }

    /// The JSON document described in docs/json-schema.md.
    public static func json(_ report: HeapReport, timing: Bool = false) -> JSONValue {
        let m = report.model
        let trace = report.trace
        var traceMembers: [(String, JSONValue)] = [
            ("name", .string(trace.name)),
            ("format", .string(trace.format)),
            ("ops", .uint(trace.records)),
            ("warnings", .array(report.details.warnings.map { w in
                .object([("line", w.line.map { .int(Int64($0)) } ?? .null), ("message", .string(w.message))])
            })),
        ]
        traceMembers.append(("memcheck", report.details.memcheck.map { s in
            .object([("allocs", .uint(s.allocs)), ("frees", .uint(s.frees)), ("bytesAllocated", .uint(s.bytesAllocated)),
                     ("inUseAtExitBytes", .uint(s.inUseAtExitBytes)), ("inUseAtExitBlocks", .uint(s.inUseAtExitBlocks))])
        } ?? .null))
        return .object([
            ("command", .string("heap")),
            ("trace", .object(traceMembers)),
            ("model", .object([
                ("alignment", .uint(m.alignment)), ("header", .uint(m.header)), ("base", .uint(m.base)),
                ("coalescing", .string(m.coalescing.rawValue)), ("order", .string(m.order.rawValue)),
                ("heapLimit", m.heapLimit.map { .uint($0) } ?? .null), ("initialHeap", .uint(m.initialHeap)),
                ("mmap", m.mmap.map { t in
                    .object([("threshold", .uint(t.threshold)), ("dynamic", .bool(t.dynamic)), ("maxThreshold", .uint(t.maxThreshold)),
                             ("maxChunks", .int(Int64(t.maxChunks)))])
                } ?? .null),
            ])),
            ("results", .array(report.results.map { result(report, $0, timing: timing) })),
        ])
    }

    static func result(_ report: HeapReport, _ r: HeapResult, timing: Bool) -> JSONValue {
        let s = r.stats
        var fields: [(String, JSONValue)] = [
            ("policy", .string(r.policy.rawValue)),
            ("heapSize", .uint(s.heapSize)),
            ("peakPayload", .uint(s.peakPayload)),
            ("peakUtilization", .double(s.peakUtilization)),
            ("peakOp", .uint(s.peakOp)),
            ("ops", .uint(s.ops)),
            ("allocs", .uint(s.allocs)),
            ("frees", .uint(s.frees)),
            ("reallocs", .uint(s.reallocs)),
            ("bytesAllocated", .uint(s.bytesAllocated)),
            ("inUseAtExitBytes", .uint(s.inUseAtExitBytes)),
            ("inUseAtExitBlocks", .uint(s.inUseAtExitBlocks)),
            ("mmaps", .uint(s.mmaps)),
            ("munmaps", .uint(s.munmaps)),
            ("mremaps", .uint(s.mremaps)),
            ("mmappedBytesPeak", .uint(s.mmappedBytesPeak)),
            ("mmappedBytesAtExit", .uint(s.mmappedBytesAtExit)),
            ("mmappedChunksAtExit", .uint(s.mmappedChunksAtExit)),
            ("mmapThresholdAtExit", s.mmapThresholdAtExit.map { .uint($0) } ?? .null),
            ("doubleFrees", .uint(s.doubleFrees)),
            ("invalidFrees", .uint(s.invalidFrees)),
            ("reallocsOfFreed", .uint(s.count(.reallocOfFreed))),
            ("failedAllocations", .uint(s.count(.heapLimit) + s.count(.tooLarge))),
            ("internalFragmentationBytes", .uint(s.internalFragmentationAtExit)),
            ("internalFragmentationMaxBytes", .uint(s.internalFragmentationMax)),
            ("externalFragmentation", .double(s.externalFragmentationAtExit)),
            ("externalFragmentationMean", .double(s.externalFragmentationMean)),
            ("externalFragmentationMax", .double(s.externalFragmentationMax)),
            ("freeBlocks", .int(Int64(s.freeBlocksAtExit))),
            ("freeBlocksMax", .int(Int64(s.freeBlocksMax))),
            ("freeBlocksMean", .double(s.freeBlocksMean)),
            ("searches", .uint(s.search.searches)),
            ("searchLengthMean", .double(s.search.mean)),
            ("searchLengthMax", .uint(s.search.longest)),
            ("memcheckAgrees", report.details.memcheck.map { .bool($0.matches(s)) } ?? .null),
            ("invariantViolation", s.invariantViolation.map { .string($0) } ?? .null),
            ("diagnostics", .array(s.diagnostics.map { d in
                .object([("kind", .string(d.kind.rawValue)), ("line", .int(Int64(d.line))), ("id", .string(report.details.describe(d.id))),
                         ("size", .uint(d.size)), ("earlierLine", d.earlierLine > 0 ? .int(Int64(d.earlierLine)) : .null)])
            })),
            ("leaks", .array(s.leaks.map { l in
                .object([("id", .string(report.details.describe(l.id))), ("size", .uint(l.size)), ("line", .int(Int64(l.line)))])
            })),
            ("series", SeriesRendering.json(series(s))),
            ("peakLayout", r.layout.map { l in
                .object([("op", .uint(l.op)), ("base", .uint(l.base)), ("heapSize", .uint(l.heapSize)), ("cellBytes", .uint(l.cellBytes)),
                         ("allocated", .fragment("[" + l.allocated.map(SeriesRendering.number).joined(separator: ",") + "]"))])
            } ?? .null),
        ]
        if timing { fields.insert(("opsPerSecond", .double(r.opsPerSecond.rounded())), at: fields.count - 6) }
        return .object(fields)
    }

    /// The heap's samples as a series over operations.
    public static func series(_ s: HeapStats) -> Series {
        Series(unit: "ops", columns: ["heapSize", "payload", "freeBytes", "largestFree", "freeBlocks", "externalFragmentation",
                                      "mapped", "mappedPayload"],
               x: s.samples.map(\.op),
               values: s.samples.map { p in
                   [Double(p.heapSize), Double(p.payload), Double(p.freeBytes), Double(p.largestFree), Double(p.freeBlocks),
                    p.externalFragmentation, Double(p.mapped), Double(p.mappedPayload)]
               })
    }

    /// `--csv --series`: the heap over time, a row per sample of each policy.
    public static func seriesCSV(_ report: HeapReport) -> String {
        SeriesRendering.csv(keys: ["policy"], report.results.map { (key: [$0.policy.rawValue], series: series($0.stats)) })
    }

    /// The CSV header `csv` writes.
    public static let csvHeader = ["policy", "heapSize", "peakPayload", "peakUtilization", "allocs", "frees", "bytesAllocated",
                                   "inUseAtExitBytes", "inUseAtExitBlocks", "doubleFrees", "invalidFrees", "failedAllocations",
                                   "internalFragmentationMaxBytes", "externalFragmentationMean", "externalFragmentationMax",
                                   "freeBlocksMax", "searchLengthMean", "searchLengthMax"]

    /// The columns the CSV adds when large requests are mapped (`--mmap-threshold`).
    public static let csvMmapHeader = ["mmaps", "munmaps", "mremaps", "mmappedBytesPeak", "mmappedBytesAtExit", "mmapThresholdAtExit"]

    /// CSV with one row per policy; the mmap columns follow when large requests are mapped, and
    /// `timing` adds a last column, `opsPerSecond`.
    public static func csv(_ report: HeapReport, timing: Bool = false) -> String {
        let mapping = report.model.mmap != nil
        var csv = CSVTable(header: csvHeader + (mapping ? csvMmapHeader : []) + (timing ? ["opsPerSecond"] : []))
        for r in report.results {
            let s = r.stats
            var row = [r.policy.rawValue, String(s.heapSize), String(s.peakPayload), "\(s.peakUtilization)", String(s.allocs),
                        String(s.frees), String(s.bytesAllocated), String(s.inUseAtExitBytes), String(s.inUseAtExitBlocks),
                        String(s.doubleFrees), String(s.invalidFrees), String(s.count(.heapLimit) + s.count(.tooLarge)),
                        String(s.internalFragmentationMax), "\(s.externalFragmentationMean)", "\(s.externalFragmentationMax)",
                        String(s.freeBlocksMax), "\(s.search.mean)", String(s.search.longest)]
            if mapping {
                row += [String(s.mmaps), String(s.munmaps), String(s.mremaps), String(s.mmappedBytesPeak), String(s.mmappedBytesAtExit),
                        s.mmapThresholdAtExit.map { String($0) } ?? ""]
            }
            if timing { row.append(String(UInt64(r.opsPerSecond.rounded()))) }
            csv.append(row)
        }
        return csv.render()
    }
}
