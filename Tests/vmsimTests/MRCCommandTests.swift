import Foundation
import Testing

func jsonObject(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
}

func pointMisses(_ object: [String: Any]) -> [Int: Int] {
    var result: [Int: Int] = [:]
    for p in object["points"] as! [[String: Any]] { result[p["frames"] as! Int] = p["misses"] as? Int }
    return result
}

@Suite("vmsim mrc")
struct MRCCommandTests {
    static let trueTrace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path

    /// The exact curve of /bin/true's Lackey trace has a point for each of its 138 distinct pages, and
    /// equals `vmsim paging --policy lru` (LRU at 8 and 32 frames: 3,803 and 453 misses, as an
    /// independent Python model counts them; see PagingCommandTests). To keep the debug-build suite
    /// fast this compares 1-40 frames and every 7th size after; bench/mrc.sh compares every size of
    /// this trace and of workloads/sort.lackey.gz on a release build.
    @Test func exactCurveEqualsPagingAtEverySize() throws {
        let r = try vmsim(["mrc", Self.trueTrace, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try jsonObject(r.stdout)
        #expect(object["command"] as? String == "mrc")
        #expect(object["method"] as? String == "stack-distance")
        #expect(object["sampling"] is NSNull)
        let curve = pointMisses(object)
        #expect(curve.count == 138)
        #expect(curve[8] == 3803 && curve[32] == 453)
        #expect(curve[138] == 138)
        let sizes = Array(1...40) + Array(stride(from: 47, through: 138, by: 7)) + [138]
        let paging = try vmsim(["paging", Self.trueTrace, "--policy", "lru", "--frames", sizes.map(String.init).joined(separator: ","), "--json"])
        let results = try jsonObject(paging.stdout)["results"] as! [[String: Any]]
        for item in results {
            #expect(curve[item["frames"] as! Int] == item["misses"] as? Int, "at \(item["frames"]!) frames")
        }
        let histogram = object["reuseDistance"] as! [[String: Any]]
        let counted = histogram.reduce(0) { $0 + ($1["references"] as! Int) } + (object["coldMisses"] as! Int)
        #expect(counted == 168_971)
    }

    @Test func shardsAtRateOneIsExactAndReportsTheSampling() throws {
        let exact = try vmsim(["mrc", Self.trueTrace, "--max-frames", "40", "--json"])
        let sampled = try vmsim(["mrc", Self.trueTrace, "--max-frames", "40", "--sample", "shards:1", "--json"])
        #expect(sampled.status == 0, "\(sampled.stderr)")
        let object = try jsonObject(sampled.stdout)
        #expect(pointMisses(object) == pointMisses(try jsonObject(exact.stdout)))
        let sampling = object["sampling"] as! [String: Any]
        #expect(sampling["method"] as? String == "shards")
        #expect(sampling["rate"] as? Double == 1)
        #expect(sampling["sampledReferences"] as? Int == 168_971)
        let fixed = try vmsim(["mrc", Self.trueTrace, "--sample", "shards-fixed:50", "--json"])
        let fixedSampling = try jsonObject(fixed.stdout)["sampling"] as! [String: Any]
        #expect(fixedSampling["method"] as? String == "shards-fixed")
        #expect(fixedSampling["maxPages"] as? Int == 50)
        #expect((fixedSampling["sampledPages"] as! Int) <= 50)
    }

    /// Non-stack policies: each size simulated; equal to `vmsim paging` at the same sizes; a size
    /// beyond the distinct pages takes only the compulsory misses.
    @Test func otherPoliciesSimulateEachSize() throws {
        for policy in ["arc", "opt", "mglru"] {
            let r = try vmsim(["mrc", Self.trueTrace, "--policy", policy, "--sizes", "4,16,500", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let object = try jsonObject(r.stdout)
            #expect(object["method"] as? String == "simulation")
            let curve = pointMisses(object)
            let paging = try vmsim(["paging", Self.trueTrace, "--policy", policy, "--frames", "4,16", "--json"])
            for item in try jsonObject(paging.stdout)["results"] as! [[String: Any]] {
                #expect(curve[item["frames"] as! Int] == item["misses"] as? Int, "\(policy)")
            }
            #expect(curve[500] == 138)
        }
    }

    @Test func csvAndTextAndWorkingSet() throws {
        let csv = try vmsim(["mrc", Self.trueTrace, "--max-frames", "3", "--csv"])
        #expect(csv.stdout == "frames,misses,missRatio\n1,79451,\(79451.0 / 168971)\n2,17530,\(17530.0 / 168971)\n3,10442,\(10442.0 / 168971)\n")
        let text = try vmsim(["mrc", Self.trueTrace, "--window", "50000"])
        #expect(text.stdout.contains("exact LRU curve"))
        #expect(tableRows(text.stdout).contains(["8", "3803", "0.0225"]))
        #expect(text.stdout.contains("Working set W(t, 50000)"))
        let json = try jsonObject(try vmsim(["mrc", Self.trueTrace, "--max-frames", "2", "--window", "50000", "--json"]).stdout)
        let ws = json["workingSet"] as! [String: Any]
        #expect(ws["window"] as? Int == 50000)
        #expect((ws["samples"] as! [[String: Any]]).map { $0["time"] as! Int } == [50000, 100000, 150000, 168971])
        // A size beyond the distinct pages is capped for the default curve but answered when asked.
        let capped = try jsonObject(try vmsim(["mrc", Self.trueTrace, "--max-frames", "100000", "--json"]).stdout)
        #expect(pointMisses(capped).count == 138)
        let asked = try jsonObject(try vmsim(["mrc", Self.trueTrace, "--sizes", "5000", "--json"]).stdout)
        #expect(pointMisses(asked) == [5000: 138])
    }
}

@Suite("vmsim mrc: bad input")
struct MRCBadInputTests {
    @Test(arguments: ["shards:0", "shards:1.5", "shards:-0.1", "shards:abc", "shards-fixed:0", "shards-fixed:x", "reservoir:0.1", "shards"])
    func samplingOutsideItsRangeIsAUsageError(sample: String) throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["mrc", s.file("p.txt", "1\n2\n"), "--sample", sample])
        #expect(r.status == 64, "\(sample): \(r.stderr)")
        #expect(r.stderr.contains("shards"))
    }

    @Test(arguments: [["--sizes", "0"], ["--max-frames", "0"], ["--policy", "arc"], ["--policy", "arc", "--sizes", "4", "--sample", "shards:0.5"],
                      ["--policy", "belady", "--sizes", "4"], ["--window", "0"], ["--sizes", "-2"]])
    func badSizesAndPoliciesAreUsageErrors(arguments: [String]) throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["mrc", s.file("p.txt", "1\n2\n")] + arguments)
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
    }

    @Test func malformedAndEmptyTracesNameTheFileAndExitTwo() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.lackey", "I  0401ab70,3\n L 04225f10,8\n L 0422xx10,8\n")
        for extra in [[], ["--sample", "shards:0.5"], ["--policy", "fifo", "--sizes", "2"]] {
            let r = try vmsim(["mrc", path] + extra)
            #expect(r.status == 2)
            #expect(r.stderr.hasPrefix("vmsim: \(path):3: expected ',SIZE' after the address"), "\(extra)")
        }
        let empty = try vmsim(["mrc", s.file("c.txt", "# nothing\n"), "--format", "plain"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("holds no memory references"))
    }

    @Test func readsStandardInputForOPTAndHugeSizes() throws {
        let r = try vmsim(["mrc", "-", "--format", "plain", "--policy", "opt", "--sizes", "3,1000000000", "--json"],
                          stdin: Data(PagingCommandTests.silberschatz.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(pointMisses(try jsonObject(r.stdout)) == [3: 9, 1_000_000_000: 6])
    }
}
