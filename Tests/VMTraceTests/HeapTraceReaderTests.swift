import Foundation
import Testing
import VMSim
@testable import VMTrace
import VMDriver

let repositoryRootForTraces = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let malloclabTraces = repositoryRootForTraces.appendingPathComponent("traces/malloclab")
let valgrindLogs = fixtures.appendingPathComponent("valgrind")

/// Every op of an allocation trace, and the reader (for its warnings and summary).
func readHeapOps(_ path: String, _ format: HeapTraceFormat? = nil) throws -> (ops: [HeapOp], reader: any HeapTraceReader) {
    let reader = try HeapTrace.open(path, format: format)
    var out: [HeapOp] = []
    while true {
        let batch = try reader.nextBatch()
        if batch.isEmpty { return (out, reader) }
        out.append(contentsOf: batch)
    }
}

func heapReadError(_ path: String, _ format: HeapTraceFormat? = nil) -> TraceError? {
    do {
        _ = try readHeapOps(path, format)
        return nil
    } catch let error as TraceError {
        return error
    } catch {
        return TraceError(file: "?", message: "unexpected \(error)")
    }
}

@Suite("Valgrind --trace-malloc logs of real programs")
struct ValgrindHeapTraceTests {
    static let logs = ["ls.log", "sort.log", "awk.log", "sh.log", "python3.log.gz", "apt-cache.log.gz", "aligned.log", "newdel.log"]

    /// The replay's allocs, frees, bytes allocated, and bytes and blocks in use at exit equal the
    /// HEAP SUMMARY memcheck printed at the end of the same run.
    @Test(arguments: logs)
    func countsEqualMemchecksHeapSummary(log: String) throws {
        let path = valgrindLogs.appendingPathComponent(log).path
        let report = try HeapReplay.run(path: path, policies: [.first, .buddy], model: HeapModel(), checking: .incremental)
        #expect(report.trace.format == "valgrind")
        let summary = try #require(report.details.memcheck, "no HEAP SUMMARY read from \(log)")
        for result in report.results {
            let s = result.stats
            #expect(s.allocs == summary.allocs, "\(log) \(result.policy): allocs")
            #expect(s.frees == summary.frees, "\(log) \(result.policy): frees")
            #expect(s.bytesAllocated == summary.bytesAllocated, "\(log) \(result.policy): bytes allocated")
            #expect(s.inUseAtExitBytes == summary.inUseAtExitBytes, "\(log) \(result.policy): in use at exit")
            #expect(s.inUseAtExitBlocks == summary.inUseAtExitBlocks, "\(log) \(result.policy): blocks in use at exit")
            #expect(summary.matches(s))
            #expect(s.invariantViolation == nil)
            #expect(s.doubleFrees == 0 && s.invalidFrees == 0)
        }
    }

    @Test func theSummaryNumbersAreTheOnesPrinted() throws {
        let (_, reader) = try readHeapOps(valgrindLogs.appendingPathComponent("ls.log").path)
        #expect(reader.memcheckSummary == MemcheckSummary(inUseAtExitBytes: 21413, inUseAtExitBlocks: 18, allocs: 318,
                                                          frees: 300, bytesAllocated: 108_298))
    }

    @Test func readsEveryFormOfTheCalls() throws {
        // aligned.c: memalign(64,128), posix_memalign(32,100), aligned_alloc(256,512),
        // realloc(NULL,40), stdout's malloc(4096), realloc(d,400), malloc(0), calloc(3,10), free(NULL),
        // valloc(10), malloc(7), realloc(h,0) (a free), then frees, one after output with no newline.
        let (ops, _) = try readHeapOps(valgrindLogs.appendingPathComponent("aligned.log").path)
        let allocs = ops.filter { $0.kind == .alloc }.map(\.size)
        #expect(allocs == [128, 100, 512, 40, 4096, 0, 30, 10, 7])
        let reallocs = ops.filter { $0.kind == .realloc }
        #expect(reallocs.count == 1 && reallocs[0].size == 400 && reallocs[0].id == 0x4A40290 && reallocs[0].newID == 0x4A41650)
        #expect(ops.filter { $0.kind == .free }.map(\.id) == [0x4A41880, 0x4A40080, 0x4A401C0, 0x4A40300, 0x4A40040, 0x4A42000, 0x4A40610])
    }

    @Test func skipsOtherProcessesAndProgramOutput() throws {
        let s = Scratch(); defer { s.cleanup() }
        let log = """
            ==10== Memcheck, a memory error detector
            --10-- malloc(16) = 0x1000
            hello from the program--10-- malloc(8) = 0x2000
            --11-- malloc(99) = 0x3000
            --11-- free(0x1000)
            --10-- Reading syms from /bin/true
            --10-- realloc(0x2000,0)free(0x2000)
            --10--  = 0
            --10-- free(0x0)
            --10-- _ZnwmSt11align_val_t(size 128, al 64) = 0x4000
            --10-- _ZdlPvmSt11align_val_t(0x4000)
            ==10==     in use at exit: 16 bytes in 1 blocks
            ==10==   total heap usage: 3 allocs, 2 frees, 152 bytes allocated

            """
        let path = s.file("t.log", log)
        let report = try HeapReplay.run(path: path, policies: [.best], model: HeapModel())
        #expect(report.details.memcheck?.matches(report.results[0].stats) == true)
        #expect(report.details.warnings.count == 1)
        #expect(report.details.warnings.first?.message.contains("process 11") == true)
    }

    @Test func reportsMalformedRecordsWithTheirLine() {
        let s = Scratch(); defer { s.cleanup() }
        let cases: [(String, String)] = [
            ("==1== x\n--1-- malloc(abc) = 0x10\n", "expected a number in the arguments of malloc"),
            ("==1== x\n--1-- malloc(16)\n", "expected ' = ADDRESS' after the malloc(...) call"),
            ("==1== x\n--1-- calloc(4) = 0x10\n", "calloc takes 2 arguments"),
            ("==1== x\n--1-- free(0x10\n", "expected ',' or ')'"),
            ("==1== x\n--1-- malloc(16) = zz\n", "expected an address after '='"),
        ]
        for (text, message) in cases {
            let error = heapReadError(s.file("bad.log", text), .valgrind)
            #expect(error?.location == .line(2), "\(text)")
            #expect(error?.message.contains(message) == true, "\(error?.description ?? "no error") for \(text)")
        }
    }
}

@Suite("Malloc-lab traces")
struct MallocLabTraceTests {
    @Test func readsTheHeaderAndOps() throws {
        let (ops, reader) = try readHeapOps(malloclabTraces.appendingPathComponent("short1.rep.gz").path)
        #expect(reader.format == .malloclab)
        #expect(ops.count == 12)
        #expect(ops[0] == HeapOp(kind: .alloc, id: 0, size: 2040, line: 5, flags: .unknownIsNull))
        #expect(ops[2] == HeapOp(kind: .free, id: 1, line: 7, flags: .unknownIsNull))
        #expect(reader.warnings.isEmpty)
    }

    @Test func readsCornersLikeTheDriver() throws {
        // f -1 (an id never allocated), a 50 MB block, r of an id never allocated, r ID 0.
        let report = try HeapReplay.run(path: malloclabTraces.appendingPathComponent("corners.rep.gz").path,
                                        policies: [.first], model: HeapModel(), checking: .full)
        let s = report.results[0].stats
        #expect(s.invalidFrees == 1)
        #expect(s.diagnostics.first?.line == 5)
        #expect(report.details.describe(s.diagnostics[0].id) == "id -1")
        #expect(s.invariantViolation == nil)
        #expect(s.count(.reallocOfFreed) == 0)
    }

    @Test func warnsWhenTheHeaderLiesAboutTheCount() throws {
        // lrucd.rep declares 200 ops and has 201: the last is ignored, as mdriver ignores it.
        let (ops, reader) = try readHeapOps(malloclabTraces.appendingPathComponent("lrucd.rep.gz").path)
        #expect(ops.count == 200)
        #expect(reader.warnings.map(\.message) == ["the header declares 200 ops; the 1 line after them was ignored, as the malloc-lab driver does"])
        #expect(reader.warnings.first?.line == 205)
    }

    @Test func reusesThePreviousSizeWhenALineHasNone() throws {
        // alaska.rep: "a 22 1234" then "a 7 " -> 1234, as mdriver's fscanf leaves the size alone.
        let (ops, reader) = try readHeapOps(malloclabTraces.appendingPathComponent("alaska.rep.gz").path)
        #expect(ops.count == 100_000)
        #expect(ops[1].size == 1234 && ops[2].size == 1234 && ops[2].id == 7)
        #expect(reader.warnings.contains { $0.message.hasPrefix("29923 allocations have no size") })
    }

    @Test func warnsWhenTheTraceIsShorterThanItsHeaderSays() throws {
        let s = Scratch(); defer { s.cleanup() }
        let (ops, reader) = try readHeapOps(s.file("t.rep", "0\n2\n5\n1\na 0 10\nf 0\n"))
        #expect(ops.count == 2)
        #expect(reader.warnings.map(\.message) == ["the header declares 5 ops but the trace has only 2"])
        let (_, outside) = try readHeapOps(s.file("u.rep", "0\n1\n2\n1\na 7 10\nf 7\n"))
        #expect(outside.warnings.map(\.message) == ["2 ops use ids outside 0..<1 declared by the header (first: 7)"])
    }

    @Test func rejectsMalformedLines() {
        let s = Scratch(); defer { s.cleanup() }
        let cases: [(String, Int, String)] = [
            ("0\n1\n1\n1\nx 0 10\n", 5, "expected 'a ID SIZE', 'r ID SIZE' or 'f ID'"),
            ("0\n1\n1\n1\na 0 -5\n", 5, "negative size"),
            ("0\n1\n1\n1\na 0 99999999999999999999999\n", 5, "expected a size in bytes"),
            ("0\n1\n1\n1\na zero 10\n", 5, "expected an id"),
            ("0\n1\n1\n1\nf 0 10\n", 5, "unexpected text after 'f 0'"),
            ("0\n1\n1\n1\na 0 10 20\n", 5, "unexpected text after the size"),
            ("0\n-1\n1\n1\n", 2, "declares -1 ids"),
            ("0\n1\n-3\n1\n", 3, "declares -3 ops"),
            ("0\n1\n", 2, "the trace ends inside its header (2 of 4 integers)"),
            ("a 0 10\n", 1, "expected the malloc-lab header"),
        ]
        for (text, line, message) in cases {
            let error = heapReadError(s.file("bad.rep", text))
            #expect(error?.location == .line(line), "\(text): \(error?.description ?? "no error")")
            #expect(error?.message.contains(message) == true, "\(error?.description ?? "no error") for \(text)")
        }
        #expect(heapReadError(s.file("empty.rep", ""))?.message == "the trace is empty")
        // Found by fuzzing (Fuzz/Harnesses/malloc-lab.swift): it was at line 0, printed FILE:0:.
        #expect(heapReadError(s.file("empty.rep", ""))?.location == TraceError.Location.none)
    }

    @Test func idsFreedTwiceAreDiagnosedNotFatal() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("twice.rep", "0\n2\n5\n1\na 0 10\nf 0\nf 0\na 1 5\nf 1\n")
        let report = try HeapReplay.run(path: path, policies: [.best], model: HeapModel())
        let stats = report.results[0].stats
        #expect(stats.doubleFrees == 1)
        #expect(stats.diagnostics == [HeapDiagnostic(kind: .doubleFree, line: 7, id: 0, earlierLine: 6)])
        #expect(stats.allocs == 2)
    }
}

@Suite("OSTEP op lists")
struct OSTEPOpsTraceTests {
    @Test func numbersAllocationsInOrder() throws {
        let s = Scratch(); defer { s.cleanup() }
        let (ops, reader) = try readHeapOps(s.file("l.ops", "+10,-0,+20\n+5 -1 # comment\n"))
        #expect(reader.format == .ops)
        #expect(ops == [.alloc(0, 10, line: 1), .free(0, line: 1), .alloc(1, 20, line: 1), .alloc(2, 5, line: 2), .free(1, line: 2)])
    }

    @Test func rejectsBadOps() {
        let s = Scratch(); defer { s.cleanup() }
        for (text, message) in [("+10,*3", "expected an op"), ("+", "expected a number after '+'"), ("+-4", "negative number"),
                                ("+4x", "unexpected text after '+4'")] {
            let error = heapReadError(s.file("bad.ops", text + "\n"))
            #expect(error?.location == .line(1))
            #expect(error?.message.contains(message) == true, "\(error?.description ?? "no error")")
        }
    }

    @Test func detectsEachFormatFromContent() throws {
        let s = Scratch(); defer { s.cleanup() }
        #expect(try readHeapOps(s.file("a", "+3,-0\n")).reader.format == .ops)
        #expect(try readHeapOps(s.file("b", "20000\n1\n1\n1\na 0 1\n")).reader.format == .malloclab)
        #expect(try readHeapOps(s.file("c", "==5== Memcheck\n--5-- malloc(1) = 0x10\n")).reader.format == .valgrind)
        #expect(heapReadError(s.file("d", "hello world\n"))?.message.contains("cannot tell") == true)
    }
}

@Suite("Every malloc-lab trace, checked after every operation")
struct MallocLabInvariantTests {
    static let traces: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: malloclabTraces.path)) ?? []).sorted()

    /// The policies a trace is checked under: all of them on traces of up to 15,000 ops; on the
    /// larger ones (which dominate a debug build's time) one each, in rotation, so every policy
    /// still meets several large traces.
    static func policies(for trace: String) -> [HeapPolicy] {
        let ops = traces.firstIndex(of: trace)!
        let large = ["alaska", "boat", "coalesce-big", "exhaust", "firefox-reddit", "firefox-reddit2", "freeciv", "login",
                     "merry-go-round", "mutt", "needle"]
        let all = HeapPolicy.allCases
        return large.contains(String(trace.split(separator: ".")[0])) ? [all[ops % all.count]] : all
    }

    /// Blocks never overlap (checked against a shadow set of allocated blocks), free + allocated =
    /// heap size, the touched blocks tile the heap and, under immediate coalescing, no two free
    /// blocks are adjacent: after every operation; the whole heap at power-of-two operation counts
    /// and at the end.
    @Test(arguments: traces)
    func invariantsHoldAfterEveryOperation(trace: String) throws {
        let path = malloclabTraces.appendingPathComponent(trace).path
        let report = try HeapReplay.run(path: path, policies: Self.policies(for: trace), model: HeapModel(), checking: .incremental,
                                        parallelism: 1)
        for r in report.results {
            #expect(r.stats.invariantViolation == nil, "\(trace) \(r.policy): \(r.stats.invariantViolation ?? "")")
            #expect(r.stats.heapSize >= r.stats.peakPayload)
        }
    }

    @Test func theTraceSetIsComplete() {
        #expect(Self.traces.count == 62)
    }
}
