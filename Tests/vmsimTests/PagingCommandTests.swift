import Foundation
import Testing

/// The whitespace-separated cells of each line of a text table.
func tableRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
}

@Suite("vmsim paging")
struct PagingCommandTests {
    static let silberschatz = "7\n0\n1\n2\n0\n3\n0\n4\n2\n3\n0\n3\n2\n1\n2\n0\n1\n7\n0\n1\n"

    @Test func printsATableWithTheTextbookCounts() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("ref.txt", Self.silberschatz), "--policy", "fifo,lru,opt", "--frames", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = tableRows(r.stdout)
        #expect(rows.contains(["fifo", "3", "20", "5", "15", "0.7500"]))
        #expect(rows.contains(["lru", "3", "20", "8", "12", "0.6000"]))
        #expect(rows.contains(["opt", "3", "20", "11", "9", "0.4500"]))
    }

    @Test func jsonCarriesTheDocumentedFields() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("ref.txt", Self.silberschatz), "--policy", "lru", "--policy", "clock",
                           "--frames", "3,4", "--json"])
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let results = object["results"] as! [[String: Any]]
        #expect(results.count == 4)
        for item in results {
            for key in ["policy", "frames", "accesses", "hits", "misses", "missRatio", "dirtyEvictions"] {
                #expect(item[key] != nil, "missing \(key)")
            }
        }
        #expect(results[0]["policy"] as? String == "lru")
        #expect(results[0]["misses"] as? Int == 12)
        #expect(results[0]["missRatio"] as? Double == 0.6)
    }

    @Test func csvHasOneRowPerPair() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("ref.txt", Self.silberschatz), "--policy", "fifo,lru", "--frames", "3,4", "--csv"])
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "policy,frames,accesses,hits,misses,missRatio,evictions,dirtyEvictions")
        #expect(lines.count == 5)
        #expect(lines[1] == "fifo,3,20,5,15,0.75,12,0")
    }

    @Test func readsStandardInputEvenForOPT() throws {
        let r = try vmsim(["paging", "-", "--format", "plain", "--policy", "opt,fifo", "--frames", "3"],
                          stdin: Data(Self.silberschatz.utf8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("<stdin> (plain), 20 references, 6 distinct pages"))
        #expect(tableRows(r.stdout).contains(["opt", "3", "20", "11", "9", "0.4500"]))
    }

    @Test func showsDirtyEvictionsForTracesWithStores() throws {
        let s = Scratch(); defer { s.cleanup() }
        // FIFO at 2 frames: stores to pages 1 and 2, both evicted dirty later (worked by hand).
        let path = s.file("t.din", "1 1000\n0 2000\n0 3000\n1 2000\n0 4000\n0 5000\n")
        let r = try vmsim(["paging", path, "--policy", "fifo", "--frames", "2"])
        #expect(r.stdout.contains("dirty evictions"))
        #expect(tableRows(r.stdout).contains(["fifo", "2", "6", "1", "5", "0.8333", "2"]))
    }

    /// The Lackey trace of /bin/true: LRU misses at 8 and 32 frames as an independent Python
    /// model (collections.OrderedDict) counts them: 3,803 and 453; OPT can only do better.
    @Test func runsARealLackeyTrace() throws {
        let trace = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path
        let r = try vmsim(["paging", trace, "--policy", "lru,opt", "--frames", "8,32", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let info = object["trace"] as! [String: Any]
        #expect(info["format"] as? String == "lackey")
        #expect(info["accesses"] as? Int == 168_971)
        #expect(info["distinctPages"] as? Int == 138)
        let misses = (object["results"] as! [[String: Any]]).map { $0["misses"] as! Int }
        #expect(misses[0] == 3803)
        #expect(misses[1] == 453)
        #expect(misses[2] < 3803 && misses[3] < 453)
        #expect(misses[2] >= 138 && misses[3] >= 138)
    }
}

@Suite("vmsim paging: bad input")
struct PagingBadInputTests {
    @Test func aMalformedLineNamesFileAndLineAndExitsTwo() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.lackey", "I  0401ab70,3\n L 04225f10,8\n L 0422xx10,8\n")
        let r = try vmsim(["paging", path, "--policy", "lru", "--frames", "4"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vmsim: \(path):3: expected ',SIZE' after the address"))
        #expect(r.stdout.isEmpty)
    }

    @Test func aTruncatedBinaryRecordNamesItsOffset() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.oracleGeneral", Data(repeating: 1, count: 24 * 3 + 5))
        let r = try vmsim(["paging", path, "--policy", "lru", "--frames", "4"])
        #expect(r.status == 2)
        #expect(r.stderr == "vmsim: \(path): byte 72: truncated oracleGeneral record: 5 of 24 bytes\n")
    }

    @Test func unknownPolicyIsAUsageErrorListingTheValidOnes() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("p.txt", "1\n"), "--policy", "lru,belady", "--frames", "4"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("unknown policy 'belady'; valid policies: fifo, lru, mru, random, clock, opt"))
    }

    @Test func unknownFormatIsAUsageErrorListingTheValidOnes() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("p.txt", "1\n"), "--format", "csv", "--policy", "lru", "--frames", "4"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("lackey"))
        #expect(r.stderr.contains("oracle-general"))
    }

    @Test(arguments: [["--frames", "0"], ["--frames", "-3"], ["--frames", "ten"], [], ["--frames", ""]])
    func badFrameCountsAreUsageErrors(frames: [String]) throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("p.txt", "1\n"), "--policy", "lru"] + frames)
        #expect(r.status == 64, "\(frames): \(r.stderr)")
        #expect(r.stderr.contains("frame"))
    }

    @Test func badPageSizeIsAUsageError() throws {
        let s = Scratch(); defer { s.cleanup() }
        let r = try vmsim(["paging", s.file("p.txt", "1\n"), "--policy", "lru", "--frames", "2", "--page-size", "3000"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("power-of-two"))
    }

    @Test func emptyAndUnreadableTracesAreClearErrors() throws {
        let s = Scratch(); defer { s.cleanup() }
        let empty = try vmsim(["paging", s.file("empty.txt", ""), "--policy", "lru", "--frames", "2"])
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("the trace is empty"))
        let commentsOnly = try vmsim(["paging", s.file("c.txt", "# nothing\n"), "--format", "plain", "--policy", "lru", "--frames", "2"])
        #expect(commentsOnly.status == 2)
        #expect(commentsOnly.stderr.contains("holds no memory references"))
        let missing = try vmsim(["paging", s.url.path + "/missing.txt", "--policy", "lru", "--frames", "2"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing.txt: cannot open: No such file or directory"))
    }

    @Test func aMissingDecompressorNamesItsDebianPackage() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.txt.zst", "whatever")
        let r = try vmsim(["paging", path, "--policy", "lru", "--frames", "2"], environment: ["PATH": "/nonexistent"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("install the Debian package 'zstd'"))
    }
}

@Suite("vmsim help and demo")
struct HelpAndDemoTests {
    @Test func helpListsSubcommandsAndChoices() throws {
        let root = try vmsim(["--help"])
        #expect(root.status == 0)
        #expect(root.stdout.contains("paging"))
        #expect(root.stdout.contains("demo"))
        #expect(root.stdout.contains("mrc"))
        let paging = try vmsim(["paging", "--help"])
        for word in ["fifo", "lru", "mru", "random", "clock:N", "opt", "lackey", "plain", "din", "oracle-general", "--page-size", "--json", "--csv", "--seed"] {
            #expect(paging.stdout.contains(word), "paging --help lacks \(word)")
        }
    }

    @Test func pagingDemoRunsOnTheBundledWorkload() throws {
        let r = try vmsim(["demo", "paging", "--frames", "16"], directory: repositoryRoot)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("7,258,090 page references"))
        #expect(r.stdout.contains("268 distinct pages"))
        // Same input, same bytes (DeterminismTests runs every other command twice).
        let again = try vmsim(["demo", "paging", "--frames", "16"], directory: repositoryRoot)
        #expect(again.stdout == r.stdout)
    }

    @Test func demoTellsTheWholeSystemStory() throws {
        let r = try vmsim(["demo"], directory: repositoryRoot)
        #expect(r.status == 0, "\(r.stderr)")
        for line in ["1024 minor faults, RSS 0 kB", "256 copy-on-write faults, 256 new frames", "256 pages reused in place",
                     "SIGSEGV (SEGV_ACCERR)", "SIGSEGV (SEGV_MAPERR)", "Out of memory: Killed process 6 (hog)", "0 mismatches"] {
            #expect(r.stdout.contains(line), "the demo lacks '\(line)'")
        }
        let again = try vmsim(["demo"], directory: repositoryRoot)
        #expect(again.stdout == r.stdout)
    }
}

@Suite("vmsim paging: memory sizes beyond the trace")
struct PagingHugeFramesTests {
    /// A memory of 2^31 - 2 frames holds every page of any trace: every policy misses only on first
    /// touches, and the tables grow with the trace instead of being sized by the number.
    @Test func absurdlyLargeMemoriesCostWhatTheTraceFills() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("ref.txt", PagingCommandTests.silberschatz)
        let policies = "fifo,lru,mru,clock,random,opt,arc,car,2q,lirs,clock-pro,lfu,lru-k,s3-fifo,sieve,wsclock,nru,aging,linux-2list,mglru"
        let r = try vmsim(["paging", path, "--policy", policies, "--frames", "2147483646", "--csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count == 20)
        for row in rows { #expect(row.split(separator: ",")[4] == "6", "\(row)") }
    }
}
