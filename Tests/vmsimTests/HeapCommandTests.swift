import Foundation
import Testing

let malloclabDirectory = repositoryRoot.appendingPathComponent("traces/malloclab")
let valgrindDirectory = repositoryRoot.appendingPathComponent("Tests/VMTraceTests/Fixtures/valgrind")

@Suite("vmsim heap")
struct HeapCommandTests {
    @Test func comparesPoliciesInATable() throws {
        let r = try vmsim(["heap", malloclabDirectory.appendingPathComponent("short1.rep.gz").path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = tableRows(r.stdout)
        // short1: 2040, 2040, free, 48, 4072, free, 4072, free 0, ... worked through by the engine tests;
        // the four default policies appear in order.
        #expect(rows.map { $0.first ?? "" }.filter { ["first", "next", "best", "worst"].contains($0) } == ["first", "next", "best", "worst"])
        #expect(r.stdout.contains("No double frees"))
    }

    @Test func jsonCarriesTheDocumentedFields() throws {
        let r = try vmsim(["heap", valgrindDirectory.appendingPathComponent("ls.log").path, "--policy", "best,buddy", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(object["command"] as? String == "heap")
        let trace = object["trace"] as! [String: Any]
        let memcheck = trace["memcheck"] as! [String: Any]
        #expect(memcheck["allocs"] as? Int == 318)
        let results = object["results"] as! [[String: Any]]
        #expect(results.map { $0["policy"] as? String } == ["best", "buddy"])
        for item in results {
            for key in ["policy", "heapSize", "peakPayload", "peakUtilization", "allocs", "frees", "bytesAllocated",
                        "inUseAtExitBytes", "inUseAtExitBlocks", "doubleFrees", "invalidFrees", "internalFragmentationMaxBytes",
                        "externalFragmentationMean", "externalFragmentationMax", "freeBlocksMax", "searchLengthMean",
                        "diagnostics", "leaks", "series"] {
                #expect(item[key] != nil, "missing \(key)")
            }
            #expect(item["allocs"] as? Int == 318)
            #expect(item["frees"] as? Int == 300)
            #expect(item["bytesAllocated"] as? Int == 108_298)
            #expect(item["inUseAtExitBytes"] as? Int == 21413)
            #expect(item["inUseAtExitBlocks"] as? Int == 18)
            #expect(item["memcheckAgrees"] as? Bool == true)
        }
    }

    @Test func csvHasOneRowPerPolicy() throws {
        let r = try vmsim(["heap", malloclabDirectory.appendingPathComponent("binary.rep.gz").path,
                           "--policy", "first,tlsf,segregated", "--csv"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("policy,heapSize,peakPayload,peakUtilization,allocs,frees,bytesAllocated") == true)
        #expect(lines.count == 4)
        #expect(lines[1].hasPrefix("first,"))
    }

    @Test func printsDiagnosticsWithTheirLinesAndGoesOn() throws {
        let s = Scratch(); defer { s.cleanup() }
        let trace = s.file("d.rep", "0\n3\n7\n1\na 0 10\nf 0\nf 0\nf 2\nr 0 20\na 1 3000\nf 5\n")
        let r = try vmsim(["heap", trace, "--policy", "first", "--heap-limit", "1K"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\(trace):7: double free of id 0 (freed at line 6)"))
        #expect(r.stdout.contains("\(trace):8: free of id 2, which was never allocated"))
        #expect(r.stdout.contains("\(trace):9: realloc of id 0, which was freed at line 6"))
        #expect(r.stdout.contains("\(trace):10: allocation of 3,000 bytes for id 1 would grow the heap past --heap-limit 1K; it fails"))
        #expect(r.stdout.contains("Unfreed at exit: 20 bytes in 1 blocks"))
        #expect(r.stdout.contains("\(trace):9: 20 bytes (id 0)"))
        // The header declares ids 0..<3; id 5 is outside.
        #expect(r.stderr.contains("warning: 1 op uses an id outside 0..<3"))
    }

    @Test func malformedTracesExitWith2AndFileLine() throws {
        let s = Scratch(); defer { s.cleanup() }
        for (text, line, message) in [("0\n1\n2\n1\na 0 10\nq 0\n", 6, "expected 'a ID SIZE'"),
                                      ("0\n1\n1\n1\na 0 -10\n", 5, "negative size"),
                                      ("0\n1\n1\n1\na 0 123456789012345678901234567890\n", 5, "expected a size")] {
            let trace = s.file("bad.rep", text)
            let r = try vmsim(["heap", trace])
            #expect(r.status == 2)
            #expect(r.stderr.hasPrefix("vmsim: \(trace):\(line): \(message)"), "\(r.stderr)")
        }
        let missing = try vmsim(["heap", "/nonexistent/trace.rep"])
        #expect(missing.status == 2)
    }

    @Test func absurdSizesAreReportedNotFatal() throws {
        let s = Scratch(); defer { s.cleanup() }
        let trace = s.file("huge.rep", "0\n2\n2\n1\na 0 18446744073709551615\na 1 8\n")
        let r = try vmsim(["heap", trace, "--policy", "best,buddy,tlsf"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("allocation of 18,446,744,073,709,551,615 bytes for id 0 is larger than any heap; it fails"))
    }

    @Test func usageErrorsExit64() throws {
        let trace = malloclabDirectory.appendingPathComponent("short1.rep.gz").path
        for args in [["--policy", "firstfit"], ["--alignment", "0"], ["--alignment", "abc"], ["--coalesce", "sometimes"],
                     ["--order", "random"], ["--initial-heap", "2K", "--heap-limit", "1K"], ["--json", "--csv"]] {
            let r = try vmsim(["heap", trace] + args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
        }
        let r = try vmsim(["heap", trace, "--policy", "firstfit"])
        #expect(r.stderr.contains("first, next, best, worst, segregated, tlsf, buddy"))
    }

    @Test func largeRequestsAreMappedAsGlibcMapsThem() throws {
        // sort.log's one large request, malloc(903136), is a chunk of (903136 + 8 + 15) & ~15 =
        // 903152 bytes and a mapping of round_up(903152 + 8, 4096) = 905216; its free raises the
        // threshold to that.
        let log = valgrindDirectory.appendingPathComponent("sort.log").path
        let r = try vmsim(["heap", log, "--policy", "best", "--alignment", "16", "--header", "16", "--mmap-threshold", "glibc", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let result = (object["results"] as! [[String: Any]])[0]
        #expect(result["mmaps"] as? Int == 1 && result["munmaps"] as? Int == 1)
        #expect(result["mmappedBytesPeak"] as? Int == 905216 && result["mmapThresholdAtExit"] as? Int == 905216)
        #expect(result["memcheckAgrees"] as? Bool == true)
        let plain = try vmsim(["heap", log, "--policy", "best", "--alignment", "16", "--header", "16", "--json"])
        let plainResult = ((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]])[0]
        #expect(plainResult["mmaps"] as? Int == 0 && plainResult["mmapThresholdAtExit"] is NSNull)
        #expect((plainResult["heapSize"] as! Int) > (result["heapSize"] as! Int) + 903136, "without the rules the buffer is in the heap")
        let bad = try vmsim(["heap", log, "--mmap-threshold", "64M"])
        #expect(bad.status == 64 && bad.stderr.contains("--mmap-threshold: mmap threshold 64M is more than glibc's mallopt accepts"))
    }

    @Test func theLayoutAtThePeakIsWhereTheBlocksWere() throws {
        // No alignment, first fit: +10 at [0,10), +20 at [10,30), free the first, +30 does not fit
        // the hole and grows the heap to 60 at [30,60). The payload peaks at 50 after operation 4,
        // with [0,10) free: 60 cells of 1 byte, the first 10 empty, the rest full.
        let r = try vmsim(["heap", "-", "--format", "ops", "--alignment", "1", "--policy", "first", "--layout", "--json"],
                          stdin: Data("+10,+20,-0,+30\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let result = ((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]])[0]
        #expect(result["peakOp"] as? Int == 4 && result["peakPayload"] as? Int == 50)
        let layout = result["peakLayout"] as! [String: Any]
        #expect(layout["op"] as? Int == 4 && layout["heapSize"] as? Int == 60 && layout["cellBytes"] as? Int == 1)
        #expect(layout["allocated"] as? [Int] == Array(repeating: 0, count: 10) + Array(repeating: 1, count: 50))
        // Without --layout (or --html) there is no second pass and no layout.
        let plain = try vmsim(["heap", "-", "--format", "ops", "--alignment", "1", "--policy", "first", "--json"], stdin: Data("+10,+20,-0,+30\n".utf8))
        let p = ((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as! [String: Any])["results"] as! [[String: Any]])[0]
        #expect(p["peakLayout"] is NSNull)
    }

    @Test func readsOSTEPListsFromStandardInput() throws {
        // 100 bytes at 1000, no alignment: +10 -> 1000, +20 -> 1010, -0, +5 -> 1000 (first fit).
        let r = try vmsim(["heap", "-", "--format", "ops", "--alignment", "1", "--base", "1000", "--initial-heap", "100",
                           "--heap-limit", "100", "--policy", "first", "--json"], stdin: Data("+10,+20,-0,+5\n".utf8))
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let result = (object["results"] as! [[String: Any]])[0]
        #expect(result["heapSize"] as? Int == 100)
        #expect(result["inUseAtExitBytes"] as? Int == 25)
        #expect((result["searchLengthMean"] as? Double) == 1)
    }

    @Test func checkReportsThatInvariantsHeld() throws {
        let r = try vmsim(["heap", malloclabDirectory.appendingPathComponent("coalescing.rep.gz").path, "--check",
                           "--policy", "first,buddy", "--coalesce", "deferred"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Invariants checked after every operation: all held."))
    }
}
