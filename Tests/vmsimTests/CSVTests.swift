import Foundation
import Testing

/// `--csv` on every command: read with Python's csv module (as pandas and spreadsheets read it) and
/// compared with the same run's JSON.
@Suite(.serialized) struct CSVTests {
    static let trace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path

    /// The CSV's rows as dictionaries, read by Python's csv.DictReader.
    func rows(_ csv: String) throws -> [[String: String]] {
        let scratch = Scratch(); defer { scratch.cleanup() }
        let file = scratch.file("t.csv", csv)
        let py = try runProgram(["python3", "-c", "import csv,sys,json; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))", file])
        return try #require(try JSONSerialization.jsonObject(with: Data(py.stdout.utf8)) as? [[String: String]], "\(py.stderr)")
    }

    func both(_ args: [String]) throws -> (rows: [[String: String]], json: [String: Any]) {
        let c = try vmsim(args + ["--csv"]), j = try vmsim(args + ["--json"])
        #expect(c.status == 0 && j.status == 0, "\(args): \(c.stderr)\(j.stderr)")
        return (try rows(c.stdout), try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any])
    }

    func s(_ v: Any?) -> String {
        guard let n = v as? NSNumber else { return "\(v ?? "")" }
        let d = n.doubleValue
        return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
    }

    func close(_ a: String?, _ b: Any?) -> Bool {
        guard let a, let x = Double(a), let y = (b as? NSNumber)?.doubleValue else { return false }
        return abs(x - y) <= 1e-12 * max(abs(x), abs(y), 1e-300)
    }

    @Test func pagingMRCAndHeap() throws {
        let paging = try both(["paging", Self.trace, "--policy", "lru,fifo", "--frames", "8,64"])
        let results = paging.json["results"] as! [[String: Any]]
        #expect(paging.rows.count == results.count)
        for (row, res) in zip(paging.rows, results) {
            #expect(row["policy"] == s(res["policy"]) && row["frames"] == s(res["frames"]) && row["misses"] == s(res["misses"]))
            #expect(close(row["missRatio"], res["missRatio"]))
        }
        let mrc = try both(["mrc", Self.trace, "--max-frames", "64"])
        let points = mrc.json["points"] as! [[String: Any]]
        #expect(mrc.rows.count == points.count)
        for (row, p) in zip(mrc.rows, points) { #expect(row["frames"] == s(p["frames"]) && row["misses"] == s(p["misses"])) }
        let heap = try both(["heap", valgrindDirectory.appendingPathComponent("ls.log").path, "--policy", "best,buddy"])
        for (row, res) in zip(heap.rows, heap.json["results"] as! [[String: Any]]) {
            #expect(row["policy"] == s(res["policy"]) && row["heapSize"] == s(res["heapSize"]) && row["peakPayload"] == s(res["peakPayload"]))
        }
    }

    @Test func translateBuddyAndRun() throws {
        let translate = try both(["translate", Self.trace, "--arch", "x86-64"])
        try #require(translate.rows.count == 1)
        let t = translate.rows[0]
        #expect(t["walks"] == s(translate.json["walks"]) && t["pageFaults"] == s(translate.json["pageFaults"]))
        for level in translate.json["tlb"] as! [[String: Any]] {
            let name = level["name"] as! String
            #expect(t[name + ".hits"] == s(level["hits"]) && t[name + ".lookups"] == s(level["lookups"]))
        }
        let series = try rows(try vmsim(["translate", Self.trace, "--arch", "x86-64", "--csv", "--series"]).stdout)
        let points = (translate.json["series"] as! [String: Any])["points"] as! [[Int]]
        #expect(series.count == points.count && series.last?["accesses"] == String(points.last![0]))

        let scratch = Scratch(); defer { scratch.cleanup() }
        let script = scratch.file("b.txt", "memory 64M\nalloc a 3\nalloc b 0 type=unmovable\nkmalloc k 100\n")
        let buddy = try both(["buddy", script])
        let zones = buddy.json["zones"] as! [[String: Any]]
        #expect(buddy.rows.count == zones.count)
        for (row, zone) in zip(buddy.rows, zones) {
            #expect(row["zone"] == s(zone["name"]) && row["freePages"] == s(zone["freePages"]))
            for (order, n) in (zone["nrFree"] as! [Int]).enumerated() { #expect(row["free\(order)"] == String(n)) }
        }

        let workload = repositoryRoot.appendingPathComponent("workloads/whole-system.vms").path
        let run = try both(["run", workload])
        let processes = run.json["processes"] as! [[String: Any]]
        #expect(run.rows.count == processes.count)
        for (row, p) in zip(run.rows, processes) {
            for key in ["pid", "state", "rssAnonPages", "swapPages", "minorFaults", "majorFaults", "oomScore"] { #expect(row[key] == s(p[key]), "\(key)") }
        }
        let runSeries = try rows(try vmsim(["run", workload, "--csv", "--series"]).stdout)
        let runPoints = (run.json["series"] as! [String: Any])["points"] as! [[Int]]
        #expect(runSeries.count == runPoints.count && runSeries.last?["pgfault"] == s((run.json["vmstat"] as! [String: Any])["pgfault"]))
        // Several workloads: one table, a row per process of each.
        let two = try rows(try vmsim(["run", workload, repositoryRoot.appendingPathComponent("workloads/containers.vms").path, "--csv"]).stdout)
        #expect(two.count > processes.count && Set(two.map { $0["workload"]! }).count == 2)
    }
}
