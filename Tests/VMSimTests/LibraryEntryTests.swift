import Testing
import VMSim

/// Silberschatz, Galvin & Gagne, Operating System Concepts, Figures 10.12-10.16: at 3 frames FIFO
/// has 15 faults, OPT 9, LRU 12.
let silberschatzPages: [UInt64] = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]

/// A policy written as a user would, outside the engine's own list: evicts the page loaded last
/// (the opposite of FIFO), in frames numbered by slot.
struct NewestFirst: ReplacementPolicy {
    let frames: Int
    var slotOf: [UInt64: Int32] = [:]
    var pageIn: [UInt64] = []
    var newest: Int32 = -1

    init(frames: Int) { self.frames = frames }

    mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        if let s = slotOf[page] { return .hit(s) }
        if pageIn.count < frames {
            let s = Int32(pageIn.count)
            pageIn.append(page); slotOf[page] = s; newest = s
            return .fill(s)
        }
        let s = newest
        let victim = pageIn[Int(s)]
        slotOf[victim] = nil
        pageIn[Int(s)] = page; slotOf[page] = s
        return .evict(s, victim: victim)
    }
}

@Suite("Library entry points")
struct LibraryEntryTests {
    @Test func optFromAnArrayIsExact() {
        var opt = PagingSimulation(policy: OPTPolicy(frames: 3))
        opt.run(pages: silberschatzPages)
        #expect(opt.stats.misses == 9)
        var fifo = PagingSimulation(policy: FIFOPolicy(frames: 3))
        fifo.run(pages: silberschatzPages)
        #expect(fifo.stats.misses == 15)
    }

    @Test func optFromAnArrayTwiceNumbersTheSecondArrayAfterTheFirst() {
        // Counted by hand: the first array leaves {7, 0, 1} resident (9 misses). The second starts
        // with three hits; 2 then evicts 7 (next used furthest, at 17 of the array) and leaves
        // {2, 0, 1}, the state the first array had after its fourth reference, so the rest misses
        // as the first array's rest did: 9 - 3 compulsory = 6 more, 15 in all.
        var twice = PagingSimulation(policy: OPTPolicy(frames: 3))
        twice.run(pages: silberschatzPages)
        twice.run(pages: silberschatzPages)
        #expect(twice.stats.accesses == 40)
        #expect(twice.stats.misses == 15)
    }

    @Test func optWithoutNextUsesIsRefusedNotSilentlyFIFO() {
        var opt = PagingSimulation(policy: OPTPolicy(frames: 3))
        let accesses = silberschatzPages.map { PageAccess(page: $0) }
        #expect(throws: MissingNextUse.self) {
            try accesses.withUnsafeBufferPointer { b throws(MissingNextUse) in try opt.run(b) }
        }
        #expect(opt.stats.accesses == 0)

        let run = try! PagingRun(policies: [PolicySpec(.opt)], frames: [3])
        let error = #expect(throws: MissingNextUse.self) {
            try accesses.withUnsafeBufferPointer { b throws(MissingNextUse) in try run.feed(b) }
        }
        #expect(error?.description.contains("next use") == true)
    }

    @Test func pagingRunFromAnArrayComputesTheOracle() throws {
        let run = try PagingRun(policies: [PolicySpec(.fifo), PolicySpec(.lru), PolicySpec(.opt)], frames: [3])
        let misses = run.run(pages: silberschatzPages).map(\.stats.misses)
        #expect(misses == [15, 12, 9])
    }

    @Test func aPolicyFromOutsideRunsInTheHarnessAndTheMRCSweep() throws {
        let newest = try PolicyRegistry.lookup("newest-first")
            ?? PolicyRegistry.register(name: "newest-first", summary: "evicts the page loaded last") { frames, _, _ in
                NewestFirst(frames: frames)
            }
        // By hand, 3 frames: 7 0 1 fill; then every miss replaces the newest page.
        var byHand = PagingSimulation(policy: NewestFirst(frames: 3))
        byHand.run(pages: silberschatzPages)

        let spec = try PolicySpec(parsing: "Newest-First")
        #expect(spec == PolicySpec(newest))
        #expect(spec.description == "newest-first")
        let run = try PagingRun(policies: [spec, PolicySpec(.fifo)], frames: [3], parallelism: 2)
        let results = run.run(pages: silberschatzPages)
        #expect(results[0].stats == byHand.stats)
        #expect(results[1].stats.misses == 15)

        // A simulator handed over directly, too.
        let direct = PagingRun(simulators: [PolicySimulator(spec, NewestFirst(frames: 3))])
        #expect(direct.run(pages: silberschatzPages)[0].stats == byHand.stats)

        let mrc = try MRCRun(try MRCRequest(policy: spec, sizes: [3]))
        let accesses = silberschatzPages.map { PageAccess(page: $0) }
        try accesses.withUnsafeBufferPointer { b throws(MissingNextUse) in try mrc.feed(b) }
        let report = try mrc.report(trace: "silberschatz", format: "plain", pageSize: nil)
        #expect(report.points.map(\.misses) == [byHand.stats.misses])

        #expect(throws: SpecError.self) {
            try PolicyRegistry.register(name: "lru", summary: "clash") { frames, _, _ in NewestFirst(frames: frames) }
        }
    }

    @Test func specStringsParseInTheLibrary() throws {
        #expect(try FrameCount.parseList(["3,4", " 4 ", "16"]) == [3, 4, 16])
        for bad in ["0", "-1", "x", "2147483647"] {
            #expect(throws: SpecError.self) { try FrameCount.parseList([bad]) }
        }
        #expect(try SHARDS.Mode(parsing: "SHARDS:0.01") == .fixedRate(0.01))
        #expect(try SHARDS.Mode(parsing: "shards-fixed:64") == .fixedSize(64))
        #expect(try PolicySpec.parseList(["fifo,clock:1", "clock"]).map(\.description) == ["fifo", "clock"])
        #expect(try HeapPolicy.parseList(["best, TLSF"]) == [.best, .tlsf])
        var options = HeapModel.Options()
        options.alignment = "16"; options.heapLimit = "1M"
        #expect(try HeapModel(parsing: options) == HeapModel(alignment: 16, heapLimit: 1 << 20))
        options.initialHeap = "2M"
        let error = #expect(throws: SpecError.self) { try HeapModel(parsing: options) }
        #expect(error?.description.contains("--") == false)
    }

    @Test func mrcRequestsThatCannotRunAreRefusedWithoutFlags() {
        for make in [{ try MRCRequest(policy: PolicySpec(.arc)) },
                     { try MRCRequest(policy: PolicySpec(.arc), sizes: [4], sampling: .fixedRate(0.5)) },
                     { try MRCRequest(maxFrames: 0) },
                     { try MRCRequest(window: 0) }] as [() throws -> MRCRequest] {
            let error = #expect(throws: SpecError.self) { _ = try make() }
            #expect(error?.description.contains("--") == false)
        }
    }
}
