import Foundation
import Testing

/// Runs a program and returns its exit status and standard output (standard error to a file).
func runProgram(_ argv: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let scratch = Scratch()
    defer { scratch.cleanup() }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    let out = scratch.file("out", ""), err = scratch.file("err", "")
    p.standardOutput = FileHandle(forWritingAtPath: out)
    p.standardError = FileHandle(forWritingAtPath: err)
    try p.run()
    p.waitUntilExit()
    return (p.terminationStatus, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

/// `--html FILE` and `vmsim report`: every page parses with Python's html.parser, has one SVG per
/// chart that draws something, holds in its tables the numbers of the JSON, and renders in headless
/// Chromium without console messages to a picture that is not blank (scripts/screenshot.sh).
@Suite(.serialized) struct HTMLReportTests {
    static let trace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path
    static let python = valgrindDirectory.appendingPathComponent("python3.log.gz").path

    /// What scripts/html_check.py reads in a page.
    struct Page {
        var balanced: Bool, problems: [String], figures: Int, svgs: Int, emptySvgs: Int, tables: [[[String]]]
        /// Whether some table has a row that starts with `cells`. Numbers with a fraction compare to
        /// 1e-12 relative (Foundation's JSON reader rounds some doubles in their last digit); all
        /// else exactly.
        func hasRow(_ cells: [String]) -> Bool {
            func same(_ a: String, _ b: String) -> Bool {
                if a == b { return true }
                guard a.contains(".") || a.contains("e"), let x = Double(a), let y = Double(b) else { return false }
                return abs(x - y) <= 1e-12 * max(abs(x), abs(y))
            }
            return tables.contains { $0.contains { row in row.count >= cells.count && zip(row, cells).allSatisfy(same) } }
        }
    }

    func check(_ html: String) throws -> Page {
        let r = try runProgram(["python3", repositoryRoot.appendingPathComponent("scripts/html_check.py").path, html])
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
        return Page(balanced: o["balanced"] as! Bool, problems: o["problems"] as! [String], figures: o["figures"] as! Int,
                    svgs: o["svgs"] as! Int, emptySvgs: o["emptySvgs"] as! Int, tables: o["tables"] as! [[[String]]])
    }

    /// Runs `vmsim ARGS --json --html FILE` and returns the JSON and the page.
    func make(_ args: [String], json: Bool = true, _ scratch: Scratch, _ name: String) throws -> (json: [String: Any], html: String, page: Page) {
        let html = scratch.url.appendingPathComponent(name + ".html").path
        let r = try vmsim(args + (json ? ["--json"] : []) + ["--html", html])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        let object = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any] ?? [:]
        let page = try check(html)
        #expect(page.balanced, "\(name): \(page.problems)")
        #expect(page.figures > 0 && page.svgs == page.figures && page.emptySvgs == 0, "\(name): \(page.figures) figures, \(page.svgs) svgs, \(page.emptySvgs) empty")
        return (object, html, page)
    }

    /// A JSON number as the JSON text writes it.
    func text(_ v: Any?) -> String {
        switch v {
        case let n as NSNumber:
            let d = n.doubleValue
            return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        case let s as String: return s
        default: return "\(v ?? "null")"
        }
    }

    @Test func pagingPagesHoldTheJSONsNumbersAndSeries() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let r = try make(["paging", Self.trace, "--policy", "lru,fifo", "--frames", "8,64"], scratch, "paging")
        let results = r.json["results"] as! [[String: Any]]
        #expect(r.json["schemaVersion"] as? Int == 1)
        for res in results {
            #expect(r.page.hasRow(["policy", "frames", "accesses", "misses", "missRatio"].map { text(res[$0]) }), "\(res["policy"]!)")
            // The series: at most 1,000 points, evenly spaced, at least 500 for a trace this long; the last is the result.
            let series = res["series"] as! [String: Any]
            #expect(series["columns"] as? [String] == ["misses"] && series["unit"] as? String == "accesses")
            let points = series["points"] as! [[Int]]
            #expect(points.count >= 500 && points.count <= 1001, "\(points.count) points")
            #expect(points.last! == [res["accesses"] as! Int, res["misses"] as! Int])
            let steps = Set(zip(points.dropLast(), points.dropLast().dropFirst()).map { $1[0] - $0[0] })
            #expect(steps.count == 1, "evenly spaced: \(steps)")
            #expect(zip(points, points.dropFirst()).allSatisfy { $0[1] <= $1[1] }, "misses only grow")
        }
        // The series table holds the points: the first series column is lru at 8 frames.
        let first = (results[0]["series"] as! [String: Any])["points"] as! [[Int]]
        #expect(r.page.hasRow([String(first[10][0]), String(first[10][1])]))
        // --csv --series: one row per point, read by Python's csv module.
        let csvRun = try vmsim(["paging", Self.trace, "--policy", "lru,fifo", "--frames", "8,64", "--csv", "--series"])
        let csvFile = scratch.file("series.csv", csvRun.stdout)
        let py = try runProgram(["python3", "-c", "import csv,sys,json; print(json.dumps(list(csv.DictReader(open(sys.argv[1])))))", csvFile])
        let rows = try JSONSerialization.jsonObject(with: Data(py.stdout.utf8)) as! [[String: String]]
        let total = results.reduce(0) { $0 + ((($1["series"] as! [String: Any])["points"] as! [Any]).count) }
        #expect(rows.count == total)
        let lastLRU8 = rows.last { $0["policy"] == "lru" && $0["frames"] == "8" }!
        #expect(lastLRU8["accesses"] == text(results[0]["accesses"]) && lastLRU8["misses"] == text(results[0]["misses"]))
    }

    @Test func everyCommandMakesAPage() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let mrc = try make(["mrc", Self.trace], scratch, "mrc")
        for p in (mrc.json["points"] as! [[String: Any]]).prefix(20) {
            #expect(mrc.page.hasRow(["frames", "misses", "missRatio"].map { text(p[$0]) }))
        }
        let heap = try make(["heap", Self.python, "--policy", "best,buddy", "--alignment", "16", "--header", "16", "--mmap-threshold", "glibc"], scratch, "heap")
        for res in heap.json["results"] as! [[String: Any]] {
            #expect(heap.page.hasRow(["policy", "heapSize", "peakPayload", "peakUtilization"].map { text(res[$0]) }))
            let series = res["series"] as! [String: Any]
            let points = series["points"] as! [[Double]]
            let columns = series["columns"] as! [String]
            #expect(points.count >= 500 && points.count <= 1001, "\(points.count)")
            #expect(points.last![0] == (res["ops"] as! Double) && points.last![1 + columns.firstIndex(of: "heapSize")!] == (res["heapSize"] as! Double))
        }
        // --html implies the layout at the peak; its cells are in the occupancy chart's table.
        let layouts = (heap.json["results"] as! [[String: Any]]).map { ($0["peakLayout"] as! [String: Any])["allocated"] as! [Double] }
        #expect(heap.page.hasRow(["5"] + layouts.map { text($0[5]) }))
        let translate = try make(["translate", Self.trace, "--arch", "x86-64"], scratch, "translate")
        let tlbs = translate.json["tlb"] as! [[String: Any]]
        for t in tlbs {
            #expect(translate.page.hasRow(["name", "lookups", "hits", "misses", "missRatio"].map { text(t[$0]) }))
        }
        // Its series: every TLB level's lookups and hits, the walks and faults; the last point is the result.
        let ts = translate.json["series"] as! [String: Any]
        let tcols = ts["columns"] as! [String], tpoints = ts["points"] as! [[Int]]
        #expect(tpoints.count >= 500 && tpoints.count <= 1001)
        let tlast = tpoints.last!
        #expect(tlast[0] == (translate.json["trace"] as! [String: Any])["accesses"] as! Int)
        for t in tlbs {
            let name = t["name"] as! String
            #expect(tlast[1 + tcols.firstIndex(of: name + ".lookups")!] == t["lookups"] as! Int)
            #expect(tlast[1 + tcols.firstIndex(of: name + ".hits")!] == t["hits"] as! Int)
        }
        #expect(tlast[1 + tcols.firstIndex(of: "walks")!] == translate.json["walks"] as! Int)
        #expect(tlast[1 + tcols.firstIndex(of: "pageFaults")!] == translate.json["pageFaults"] as! Int)
        #expect(translate.page.hasRow(tpoints[100].map(String.init)))
        let script = scratch.file("b.txt", "memory 64M\nalloc a 3\nalloc b 0 type=unmovable\nkmalloc k 100\n")
        let buddy = try make(["buddy", script], scratch, "buddy")
        let zone = (buddy.json["zones"] as! [[String: Any]])[0]
        let nrFree = zone["nrFree"] as! [Int]
        for (order, n) in nrFree.enumerated() { #expect(buddy.page.hasRow([String(order), String(n)])) }
        let run = try make(["run", repositoryRoot.appendingPathComponent("workloads/whole-system.vms").path], scratch, "run")
        let vmstat = run.json["vmstat"] as! [String: Any]
        for key in ["pgfault", "pgmajfault", "pswpout", "oom_kill", "nr_free_pages"] { #expect(run.page.hasRow([key, text(vmstat[key])])) }
        for p in run.json["processes"] as! [[String: Any]] {
            #expect(run.page.hasRow(["\(text(p["name"])) (\(text(p["pid"])))", text(p["rssAnonPages"]), text(p["rssFilePages"]), text(p["swapPages"])]))
        }
        // Its series: a step per line; the last point holds the final counters and free pages.
        let rs = run.json["series"] as! [String: Any]
        let rcols = rs["columns"] as! [String], rlast = (rs["points"] as! [[Int]]).last!
        for (column, key) in [("free", "nr_free_pages"), ("pgfault", "pgfault"), ("pgmajfault", "pgmajfault"), ("pswpout", "pswpout"),
                              ("pgscanKswapd", "pgscan_kswapd"), ("oomKill", "oom_kill")] {
            #expect(rlast[1 + rcols.firstIndex(of: column)!] == vmstat[key] as! Int, "\(column)")
        }
        let db = (run.json["processes"] as! [[String: Any]]).first { $0["name"] as? String == "db" }!
        #expect(rlast[1 + rcols.firstIndex(of: "db (4).anon")!] == db["rssAnonPages"] as! Int)
        #expect(rlast[1 + rcols.firstIndex(of: "db (4).swap")!] == db["swapPages"] as! Int)
        // Each renders in a real browser: no console messages, a picture that is not blank.
        for page in [mrc.html, heap.html, translate.html, buddy.html, run.html] {
            let png = page.replacingOccurrences(of: ".html", with: ".png")
            let shot = try runProgram([repositoryRoot.appendingPathComponent("scripts/screenshot.sh").path, page, png])
            #expect(shot.status == 0, "\(page): \(shot.stderr)")
            #expect(shot.stdout.contains("% of the pixels drawn"))
        }
    }

    @Test func reportComparesSavedResults() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let lru = try vmsim(["mrc", Self.trace, "--json"]), fifo = try vmsim(["mrc", Self.trace, "--policy", "fifo", "--sizes", "1,2,4,8,16,32,64,128", "--json"])
        #expect(lru.status == 0 && fifo.status == 0, "\(fifo.stderr)")
        let a = scratch.file("lru.json", lru.stdout), b = scratch.file("fifo.json", fifo.stdout)
        let out = scratch.url.appendingPathComponent("compare.html").path
        let r = try vmsim(["report", a, b, "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let page = try check(out)
        #expect(page.balanced && page.emptySvgs == 0)
        #expect(page.figures == 3, "one curve each, and both on one chart")
        let f = try JSONSerialization.jsonObject(with: Data(fifo.stdout.utf8)) as! [String: Any]
        for p in f["points"] as! [[String: Any]] { #expect(page.hasRow(["frames", "misses", "missRatio"].map { text(p[$0]) })) }
        let shot = try runProgram([repositoryRoot.appendingPathComponent("scripts/screenshot.sh").path, out, scratch.url.appendingPathComponent("c.png").path])
        #expect(shot.status == 0, "\(shot.stderr)")
    }

    @Test func reportRefusesWhatIsNotVMSimOutput() throws {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let out = scratch.url.appendingPathComponent("r.html").path
        let notJSON = scratch.file("notes.txt", "hello\n")
        var r = try vmsim(["report", notJSON, "-o", out])
        #expect(r.status == 2 && r.stderr.contains("notes.txt: not VMSim output: the JSON does not parse (line 1, column 1"), "\(r.stderr)")
        let other = scratch.file("other.json", #"{"name": "something else"}"#)
        r = try vmsim(["report", other, "-o", out])
        #expect(r.status == 2 && r.stderr.contains("other.json: not VMSim output"), "\(r.stderr)")
        let future = scratch.file("future.json", #"{"schemaVersion": 99, "command": "paging", "results": []}"#)
        r = try vmsim(["report", future, "-o", out])
        #expect(r.status == 2 && r.stderr.contains("future.json: schema version 99 is not one this VMSim reads (it reads 1)"), "\(r.stderr)")
        let missing = scratch.url.appendingPathComponent("nope.json").path
        r = try vmsim(["report", missing, "-o", out])
        #expect(r.status == 2 && r.stderr.contains("nope.json"), "\(r.stderr)")
        // An output path that cannot be written: a message, exit 2, and nothing left in the folder.
        let good = scratch.file("good.json", try vmsim(["paging", Self.trace, "--policy", "lru", "--frames", "8", "--json"]).stdout)
        r = try vmsim(["report", good, "-o", scratch.url.appendingPathComponent("no/such/dir/r.html").path])
        #expect(r.status == 2 && r.stderr.contains("no/such/dir/r.html: cannot write"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(left == ["future.json", "good.json", "notes.txt", "other.json"])
        // The same for --html on a command.
        r = try vmsim(["paging", Self.trace, "--policy", "lru", "--frames", "8", "--html", "/no/such/dir/p.html"])
        #expect(r.status == 2 && r.stderr.contains("/no/such/dir/p.html: cannot write"), "\(r.stderr)")
    }
}
