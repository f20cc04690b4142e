import VMSim

/// `vmsim run`: what the workload's lines printed and caused, in order, then one row per process
/// and the kernel's key counters; or all of it as one JSON object (docs/json-schema.md).
public struct RunRenderer: ReportRenderer {
    public init() {}

    public func text(_ r: RunReport) -> String {
        var out = r.events.map(\.text).joined()
        if !out.isEmpty { out += "\n" }
        out += "\(r.workload): \(ByteSize.format(r.memoryBytes)) RAM, "
            + (r.swapBytes > 0 ? "\(ByteSize.format(r.swapBytes)) swap" : "no swap") + ", \(r.arch) page tables, swappiness \(r.swappiness)" + (r.lru == .mglru ? ", multi-gen LRU" : "")
            + (r.cpus > 1 ? ", \(r.cpus) CPUs" : "") + "\n\n"
        let threaded = r.processes.contains { $0.threads > 1 }
        var t = TextTable(columns: [
            .init("pid", alignment: .right), .init("process"), .init("state"), .init("RSS", alignment: .right),
            .init("swap", alignment: .right), .init("PSS", alignment: .right), .init("PTE", alignment: .right),
            .init("minor", alignment: .right), .init("major", alignment: .right), .init("COW", alignment: .right),
            .init("oom_score", alignment: .right),
        ] + (threaded ? [.init("threads", alignment: .right)] : []))
        for p in r.processes {
            let state = p.state == .killed ? "killed (\(p.signal?.signal ?? "?"))" : p.state.rawValue
            t.append([String(p.pid), p.name, state, kb(p.rssPages), kb(p.swapPages), kb(p.pssPages), kb(p.pageTablePages),
                      String(p.minorFaults), String(p.majorFaults), String(p.cowFaults), p.state == .running ? String(p.oomScore) : "-"]
                     + (threaded ? [String(p.threads)] : []))
        }
        out += t.render() + "(RSS, swap, PSS and page tables in kB)\n\n"
        let v = Dictionary(uniqueKeysWithValues: r.vmstat)
        let c = { (name: String) in v[name] ?? 0 }
        out += "Faults: pgfault \(c("pgfault")) (major \(c("pgmajfault"))), pages reused by the last mapper \(c("pgreuse"))\n"
        out += "Swap: pswpout \(c("pswpout")), pswpin \(c("pswpin")), readahead \(c("swap_ra")), swap-cache hits \(c("swap_ra_hit"))\n"
        out += "Reclaim: kswapd scanned \(c("pgscan_kswapd")) and reclaimed \(c("pgsteal_kswapd")) in \(c("pageoutrun")) runs; "
            + "direct reclaim scanned \(c("pgscan_direct")) and reclaimed \(c("pgsteal_direct")) in \(c("allocstall_normal")) stalls; "
            + "activated \(c("pgactivate")), deactivated \(c("pgdeactivate"))\n"
        out += "OOM kills: \(c("oom_kill"))\n"
        if !r.vms.isEmpty {
            var vt = TextTable(columns: [.init("vm"), .init("host pid", alignment: .right), .init("memory", alignment: .right),
                                         .init("balloon", alignment: .right), .init("host RSS", alignment: .right), .init("host swap", alignment: .right),
                                         .init("guest processes"), .init("guest OOM kills", alignment: .right)])
            for v in r.vms {
                let procs = v.guest.processes.map { "\($0.name) \($0.state == .killed ? "killed" : $0.state.rawValue) \(kb($0.rssPages))" }.joined(separator: ", ")
                let kills = v.guest.vmstat.first { $0.0 == "oom_kill" }?.1 ?? 0
                vt.append([v.name, String(v.hostPid), String(v.memoryBytes >> 10), kb(v.balloonPages), kb(v.hostRSSPages), kb(v.hostSwapPages),
                           procs.isEmpty ? "-" : procs, String(kills)])
            }
            out += "\n" + vt.render() + "(memory, balloon, host RSS and swap in kB; guest processes with their RSS in kB)\n\n"
        }
        if let k = r.ksm {
            out += "KSM: \(k.pagesShared) pages shared by \(k.pagesShared + k.pagesSharing) mappings (\(k.pagesSharing) pages saved), "
                + "\(k.pagesUnshared) unshared, \(k.pagesVolatile) volatile, \(k.fullScans) full scans\n"
        }
        if !r.cgroups.isEmpty {
            var cg = TextTable(columns: [
                .init("cgroup"), .init("current", alignment: .right), .init("peak", alignment: .right), .init("max", alignment: .right),
                .init("high", alignment: .right), .init("low", alignment: .right), .init("swap", alignment: .right),
                .init("max events", alignment: .right), .init("high events", alignment: .right), .init("low events", alignment: .right),
                .init("oom_kill", alignment: .right), .init("throttled ms", alignment: .right),
            ])
            for c in r.cgroups {
                let e = Dictionary(uniqueKeysWithValues: c.events)
                func size(_ v: UInt64?) -> String { v.map { String($0 >> 10) } ?? "max" }
                cg.append([c.path, size(c.current), size(c.peak), size(c.max), size(c.high), size(c.low), size(c.swapCurrent),
                           String(e["max"] ?? 0), String(e["high"] ?? 0), String(e["low"] ?? 0), String(e["oom_kill"] ?? 0), String(c.throttleMs)])
            }
            out += "\n" + cg.render() + "(current, peak, max, high, low and swap in kB; events from memory.events)\n\n"
        }
        if let rec = r.recording { out += recordingText(rec) }
        if let replay = r.replay {
            out += "Replay: \(replay.records) records, \(replay.accesses) page accesses, \(replay.pagesMappedOnTouch) pages mapped on first touch\n"
        }
        out += "Integrity: \(r.pagesVerified) page contents verified, \(r.mismatches) mismatches\n"
        return out
    }

    func kb(_ pages: Int) -> String { String(pages * 4) }

    func recordingText(_ rec: RunReport.Recording) -> String {
        var out = "\nRecording: " + (rec.command.isEmpty ? "one log" : rec.command.joined(separator: " ")) + "\n"
        var t = TextTable(columns: [
            .init("recorded pid", alignment: .right), .init("pid", alignment: .right), .init("process"),
            .init("peak RSS", alignment: .right), .init("anon at peak", alignment: .right), .init("file at peak", alignment: .right),
            .init("final anon", alignment: .right), .init("final file", alignment: .right), .init("VMAs at peak", alignment: .right),
            .init("minor", alignment: .right), .init("major", alignment: .right), .init("exit"),
        ])
        for p in rec.processes {
            t.append([p.recordedPid > 0 ? String(p.recordedPid) : "-", String(p.pid), p.name, kb(p.hiwaterRSS), kb(p.peakAnonPages), kb(p.peakFilePages),
                      kb(p.finalAnonPages), kb(p.finalFilePages), String(p.peakVMAs), String(p.minorFaults), String(p.majorFaults),
                      p.signal ?? p.exitStatus.map(String.init) ?? "-"])
        }
        out += t.render() + "(RSS in kB; peak RSS is VmHWM, the split at the largest sampled RSS)\n"
        for p in rec.processes where !p.largestAtPeak.isEmpty {
            out += "Largest mappings of \(p.name) (pid \(p.pid)) at its peak:\n"
            for m in p.largestAtPeak {
                out += "  \(String(m.start, radix: 16))-\(String(m.end, radix: 16)) \(m.perms) \(String(repeating: " ", count: max(0, 8 - String((m.end - m.start) >> 10).count)))\((m.end - m.start) >> 10) kB \(m.name)\n"
            }
        }
        for p in rec.processes {
            guard let h = p.heap else { continue }
            out += "Heap of \(p.name) (pid \(p.pid)), \(h.log) through \(h.allocator) fit: \(h.allocs) allocs, \(h.frees) frees, \(h.bytesAllocated) bytes allocated, "
                + "\(h.inUseAtExitBytes) bytes in \(h.inUseAtExitBlocks) blocks in use at exit; at most \(h.peakPayload) bytes allocated at once "
                + "in a heap of \(h.heapSize) bytes" + (h.mmaps == 0 ? "" : " and \(h.mmaps) chunks mapped on their own (at most \(h.mmappedBytesPeak) bytes at once)")
                + ", beside \(kb(p.peakAnonPages)) kB of anonymous memory resident at the peak\n"
            if let mc = h.memcheck {
                let same = mc.allocs == h.allocs && mc.frees == h.frees && mc.bytes == h.bytesAllocated && mc.inUseBytes == h.inUseAtExitBytes && mc.inUseBlocks == h.inUseAtExitBlocks
                out += "  memcheck's HEAP SUMMARY: \(mc.allocs) allocs, \(mc.frees) frees, \(mc.bytes) bytes allocated, \(mc.inUseBytes) bytes in \(mc.inUseBlocks) blocks in use at exit"
                    + (same ? " (the same)\n" : p.recordedPid == rec.processes.first?.recordedPid ? " (DIFFERENT)\n" : " (a forked child's: it counts what the parent allocated before the fork)\n")
            }
        }
        out += "System calls replayed: " + (rec.syscalls.isEmpty ? "none" : rec.syscalls.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
            + "; failed in the recording \(rec.failedInRecording); succeeded there but not here \(rec.diverged)\n"
        let skippedTotal = rec.skipped.reduce(0) { $0 + $1.1 }
        out += "Skipped (no memory effect modelled): \(skippedTotal)" + (rec.skipped.isEmpty ? "" : " (" + rec.skipped.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")") + "\n"
        out += "Mapped before tracing began (executable, loader, stack) and mapped on first touch: \(rec.pagesMappedOnTouch) pages (\(ByteSize.format(UInt64(rec.pagesMappedOnTouch) << 12)))\n"
        out += "Page cache at the end: \(kb(rec.pageCachePages)) kB\n"
        for cut in rec.truncated { out += "Truncated: \(cut)\n" }
        if let n = rec.native, let main = rec.processes.first {
            var c = TextTable(columns: [.init(""), .init("simulated", alignment: .right), .init("native", alignment: .right), .init("ratio", alignment: .right)])
            func ratio(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : formatFixed(Double(a) / Double(b), digits: 2) }
            let minor = rec.processes.reduce(0) { $0 + $1.minorFaults }, major = rec.processes.reduce(0) { $0 + $1.majorFaults }
            let peakKB = rec.processes.map(\.hiwaterRSS).max().map { $0 * 4 } ?? main.hiwaterRSS * 4
            c.append(["minor faults", String(minor), String(n.minorFaults), ratio(minor, n.minorFaults)])
            c.append(["major faults", String(major), String(n.majorFaults), ratio(major, n.majorFaults)])
            c.append(["peak RSS (kB)", String(peakKB), String(n.maxRSSKiB), ratio(peakKB, n.maxRSSKiB)])
            out += "\nSimulated (under Valgrind's layout) against the native run (GNU time, else the child's getrusage):\n" + c.render()
        }
        return out + "\n"
    }

    func recordingJSON(_ rec: RunReport.Recording) -> JSONValue {
        func i(_ v: Int) -> JSONValue { .int(Int64(v)) }
        var f: [(String, JSONValue)] = [
            ("command", .array(rec.command.map { .string($0) })),
            ("processes", .array(rec.processes.map { p in
                var o: [(String, JSONValue)] = [("recordedPid", i(p.recordedPid)), ("pid", i(p.pid)), ("name", .string(p.name)),
                    ("logs", .array(p.logs.map { .string($0) })), ("hiwaterRSSPages", i(p.hiwaterRSS)), ("peakAnonPages", i(p.peakAnonPages)),
                    ("peakFilePages", i(p.peakFilePages)), ("peakVMAs", i(p.peakVMAs)), ("finalAnonPages", i(p.finalAnonPages)),
                    ("finalFilePages", i(p.finalFilePages)), ("minorFaults", i(p.minorFaults)), ("majorFaults", i(p.majorFaults)),
                    ("threads", i(p.threads)), ("exitStatus", p.exitStatus.map(i) ?? .null), ("signal", p.signal.map { .string($0) } ?? .null),
                    ("largestAtPeak", .array(p.largestAtPeak.map { .object([("start", .string("0x" + String($0.start, radix: 16))),
                        ("end", .string("0x" + String($0.end, radix: 16))), ("perms", .string($0.perms)), ("name", .string($0.name))]) }))]
                if let h = p.heap {
                    var ho: [(String, JSONValue)] = [("log", .string(h.log)), ("allocator", .string(h.allocator)), ("allocs", .uint(h.allocs)),
                        ("frees", .uint(h.frees)), ("bytesAllocated", .uint(h.bytesAllocated)), ("inUseAtExitBytes", .uint(h.inUseAtExitBytes)),
                        ("inUseAtExitBlocks", .uint(h.inUseAtExitBlocks)), ("peakPayload", .uint(h.peakPayload)), ("heapSize", .uint(h.heapSize)),
                        ("mmaps", .uint(h.mmaps)), ("mmappedBytesPeak", .uint(h.mmappedBytesPeak)),
                        ("mmapThresholdAtExit", h.mmapThresholdAtExit.map { .uint($0) } ?? .null)]
                    if let mc = h.memcheck {
                        ho.append(("memcheck", .object([("allocs", .uint(mc.allocs)), ("frees", .uint(mc.frees)), ("bytesAllocated", .uint(mc.bytes)),
                                                        ("inUseAtExitBytes", .uint(mc.inUseBytes)), ("inUseAtExitBlocks", .uint(mc.inUseBlocks))])))
                    }
                    o.append(("heap", .object(ho)))
                }
                return .object(o)
            })),
            ("syscalls", .object(rec.syscalls.map { ($0.0, i($0.1)) })),
            ("skipped", .object(rec.skipped.map { ($0.0, i($0.1)) })),
            ("failedInRecording", i(rec.failedInRecording)), ("diverged", i(rec.diverged)),
            ("pagesMappedOnTouch", i(rec.pagesMappedOnTouch)), ("pageCachePages", i(rec.pageCachePages)),
            ("truncated", .array(rec.truncated.map { .string($0) })),
        ]
        if let n = rec.native {
            f.append(("native", .object([("minorFaults", i(n.minorFaults)), ("majorFaults", i(n.majorFaults)), ("maxRSSKiB", i(n.maxRSSKiB)),
                                         ("exitStatus", n.exitStatus.map(i) ?? .null)])))
        }
        return .object(f)
    }

    /// A row per process: its memory and faults at the end.
    public func csv(_ r: RunReport) -> String? { Self.csv([r]) }

    /// The rows of several runs, each led by its workload.
    public static func csv(_ reports: [RunReport]) -> String {
        var csv = CSVTable(header: ["workload", "process", "pid", "state", "rssPages", "rssAnonPages", "rssFilePages", "swapPages",
                                    "pssPages", "pageTablePages", "minorFaults", "majorFaults", "cowFaults", "threads", "oomScore"])
        for r in reports {
            for p in r.processes {
                csv.append([r.workload, p.name, String(p.pid), p.state.rawValue, String(p.rssPages), String(p.rssAnonPages), String(p.rssFilePages),
                            String(p.swapPages), String(p.pssPages), String(p.pageTablePages), String(p.minorFaults), String(p.majorFaults),
                            String(p.cowFaults), String(p.threads), String(p.oomScore)])
            }
        }
        return csv.render()
    }

    public func seriesCSV(_ r: RunReport) -> String? {
        r.series.map { SeriesRendering.csv(keys: ["workload"], [(key: [r.workload], series: $0)]) }
    }

    public func json(_ r: RunReport) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("schemaVersion", .int(1)),
            ("command", .string("run")),
            ("workload", .string(r.workload)),
            ("machine", .object([("memoryBytes", .uint(r.memoryBytes)), ("swapBytes", .uint(r.swapBytes)),
                                 ("arch", .string(r.arch)), ("swappiness", .int(Int64(r.swappiness))), ("lru", .string(r.lru.rawValue)), ("cpus", .int(Int64(r.cpus)))])),
            ("vmstat", .object(r.vmstat.map { ($0.0, .int(Int64($0.1))) })),
            ("meminfo", .object(r.meminfo.map { ($0.0, .int(Int64($0.1))) })),
            ("processes", .array(r.processes.map(process))),
            ("integrity", .object([("pagesVerified", .int(Int64(r.pagesVerified))), ("mismatches", .int(Int64(r.mismatches)))])),
            ("events", .array(r.events.map { .object([("line", .int(Int64($0.line))), ("kind", .string($0.kind)), ("text", .string($0.text))]) })),
        ]
        if !r.cgroups.isEmpty { fields.append(("cgroups", .array(r.cgroups.map(cgroup)))) }
        if !r.vms.isEmpty {
            fields.append(("vms", .array(r.vms.map { v in
                .object([("name", .string(v.name)), ("hostPid", .int(Int64(v.hostPid))), ("memoryBytes", .uint(v.memoryBytes)), ("arch", .string(v.arch)),
                         ("balloonPages", .int(Int64(v.balloonPages))), ("hostRSSPages", .int(Int64(v.hostRSSPages))),
                         ("hostSwapPages", .int(Int64(v.hostSwapPages))), ("guest", json(v.guest))])
            })))
        }
        if let k = r.ksm {
            fields.append(("ksm", .object([("pages_shared", .int(Int64(k.pagesShared))), ("pages_sharing", .int(Int64(k.pagesSharing))),
                                           ("pages_unshared", .int(Int64(k.pagesUnshared))), ("pages_volatile", .int(Int64(k.pagesVolatile))),
                                           ("full_scans", .int(Int64(k.fullScans)))])))
        }
        if let rec = r.recording { fields.append(("recording", recordingJSON(rec))) }
        if let series = r.series { fields.append(("series", SeriesRendering.json(series))) }
        if let replay = r.replay {
            fields.append(("replay", .object([("records", .int(Int64(replay.records))), ("accesses", .int(Int64(replay.accesses))),
                                              ("pagesMappedOnTouch", .int(Int64(replay.pagesMappedOnTouch)))])))
        }
        return .object(fields)
    }

    func cgroup(_ c: RunReport.Cgroup) -> JSONValue {
        func limit(_ v: UInt64?) -> JSONValue { v.map { .uint($0) } ?? .string("max") }
        return .object([
            ("name", .string(c.name)), ("path", .string(c.path)), ("current", .uint(c.current)), ("peak", .uint(c.peak)),
            ("max", limit(c.max)), ("high", limit(c.high)), ("low", .uint(c.low)), ("min", .uint(c.min)),
            ("swapCurrent", .uint(c.swapCurrent)), ("swapMax", limit(c.swapMax)),
            ("events", .object(c.events.map { ($0.0, .int(Int64($0.1))) })),
            ("eventsLocal", .object(c.eventsLocal.map { ($0.0, .int(Int64($0.1))) })),
            ("stat", .object(c.stat.map { ($0.key, .int(Int64($0.value))) })),
            ("throttleMs", .int(Int64(c.throttleMs))), ("procs", .array(c.procs.map { .int(Int64($0)) })),
        ])
    }

    func process(_ p: RunReport.Process) -> JSONValue {
        var f: [(String, JSONValue)] = [("name", .string(p.name)), ("pid", .int(Int64(p.pid))), ("state", .string(p.state.rawValue))]
        if let s = p.signal {
            f.append(("signal", .string(s.signal)))
            f.append(("signalCode", .string(s.code)))
        }
        if let a = p.faultAddress { f.append(("faultAddress", .string("0x" + String(a, radix: 16)))) }
        f += [("rssPages", .int(Int64(p.rssPages))), ("rssAnonPages", .int(Int64(p.rssAnonPages))), ("rssFilePages", .int(Int64(p.rssFilePages))),
              ("swapPages", .int(Int64(p.swapPages))), ("pssPages", .int(Int64(p.pssPages))), ("pageTablePages", .int(Int64(p.pageTablePages))),
              ("minorFaults", .int(Int64(p.minorFaults))), ("majorFaults", .int(Int64(p.majorFaults))), ("cowFaults", .int(Int64(p.cowFaults))),
              ("threads", .int(Int64(p.threads))), ("oomScore", .int(Int64(p.oomScore))),
              ("vmas", .array(p.vmas.map { .object([("start", .string("0x" + String($0.start, radix: 16))), ("end", .string("0x" + String($0.end, radix: 16))),
                                                    ("perms", .string($0.perms)), ("name", .string($0.name))]) }))]
        return .object(f)
    }
}
