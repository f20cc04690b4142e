import Testing
@testable import VMSim

/// Runs `pages` through `spec` at `frames` frames (with next uses computed for OPT).
func misses(_ spec: PolicySpec, frames: Int, _ pages: [UInt64], seed: UInt64 = 0) -> UInt64 {
    run(spec, frames: frames, pages.map { PageAccess(page: $0) }, seed: seed).misses
}

func run(_ spec: PolicySpec, frames: Int, _ accesses: [PageAccess], seed: UInt64 = 0) -> PagingStats {
    var annotated = accesses
    var index = NextUseIndex()
    _ = annotated.withUnsafeBufferPointer { index.record($0) }
    annotated.withUnsafeMutableBufferPointer { index.annotate($0, startingAt: 0) }
    let sim = spec.makeSimulator(frames: frames, seed: seed)
    annotated.withUnsafeBufferPointer { sim.run($0) }
    return sim.result.stats
}

let fifo = PolicySpec(.fifo), lru = PolicySpec(.lru), opt = PolicySpec(.opt)
let clock = PolicySpec(.clock), mru = PolicySpec(.mru), random = PolicySpec(.random)

@Suite("Textbook reference strings")
struct TextbookTests {
    static let beladyString: [UInt64] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
    // Silberschatz, Galvin & Gagne, Operating System Concepts, section 10.4.
    static let silberschatz: [UInt64] = [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]

    @Test func beladysAnomalyUnderFIFO() {
        #expect(misses(fifo, frames: 3, Self.beladyString) == 9)
        #expect(misses(fifo, frames: 4, Self.beladyString) == 10)
    }

    @Test func silberschatzStringAtThreeFrames() {
        #expect(misses(fifo, frames: 3, Self.silberschatz) == 15)
        #expect(misses(lru, frames: 3, Self.silberschatz) == 12)
        #expect(misses(opt, frames: 3, Self.silberschatz) == 9)
    }

    // libCacheSim 0.3.5 (Python package, Clock with n-bit-counter 1 and 2, cache size 3) on the same
    // string: miss ratios 0.55 and 0.55, i.e. 11 misses of 20.
    @Test func clockAgreesWithLibCacheSim() {
        #expect(misses(clock, frames: 3, Self.silberschatz) == 11)
        #expect(misses(PolicySpec(.clock, parameter: 2), frames: 3, Self.silberschatz) == 11)
    }

    // Worked by hand: 1 2 3 fill; 4 evicts 3; 1 2 hit; 5 evicts 2; 1 hits; 2 evicts 1; 3 evicts 2;
    // 4 5 hit: 7 misses.
    @Test func mruOnTheBeladyString() {
        #expect(misses(mru, frames: 3, Self.beladyString) == 7)
    }

    @Test func everyPolicyMissesOnlyCompulsorilyWhenEverythingFits() {
        for spec in [fifo, lru, opt, clock, mru, random, PolicySpec(.clock, parameter: 3)] {
            #expect(misses(spec, frames: 6, Self.silberschatz) == 6, "\(spec)")
        }
    }
}

/// Plain, obviously correct implementations to check the fast ones against.
enum NaiveModel {
    static func fifo(_ pages: [UInt64], frames: Int) -> UInt64 {
        var queue: [UInt64] = []
        var m: UInt64 = 0
        for p in pages where !queue.contains(p) {
            m += 1
            if queue.count == frames { queue.removeFirst() }
            queue.append(p)
        }
        return m
    }

    static func lru(_ pages: [UInt64], frames: Int) -> UInt64 {
        var stack: [UInt64] = [] // most recent last
        var m: UInt64 = 0
        for p in pages {
            if let i = stack.firstIndex(of: p) {
                stack.remove(at: i)
            } else {
                m += 1
                if stack.count == frames { stack.removeFirst() }
            }
            stack.append(p)
        }
        return m
    }

    static func opt(_ pages: [UInt64], frames: Int) -> UInt64 {
        var resident: [UInt64] = []
        var m: UInt64 = 0
        for (i, p) in pages.enumerated() where !resident.contains(p) {
            m += 1
            if resident.count == frames {
                // Victim: the resident page whose next use is furthest (never = infinitely far).
                let victim = resident.indices.max { a, b in
                    nextUse(pages, after: i, of: resident[a]) < nextUse(pages, after: i, of: resident[b])
                }!
                resident.remove(at: victim)
            }
            resident.append(p)
        }
        return m
    }

    static func nextUse(_ pages: [UInt64], after i: Int, of p: UInt64) -> Int {
        pages[(i + 1)...].firstIndex(of: p) ?? Int.max
    }

    /// Second chance as a queue: a referenced page at the front is moved to the back, bit cleared.
    static func clock(_ pages: [UInt64], frames: Int, bits: Int) -> UInt64 {
        var queue: [(page: UInt64, count: Int)] = []
        let cap = (1 << bits) - 1
        var m: UInt64 = 0
        for p in pages {
            if let i = queue.firstIndex(where: { $0.page == p }) {
                queue[i].count = min(queue[i].count + 1, cap)
                continue
            }
            m += 1
            if queue.count == frames {
                while queue[0].count > 0 {
                    var e = queue.removeFirst()
                    e.count -= 1
                    queue.append(e)
                }
                queue.removeFirst()
            }
            queue.append((p, 0))
        }
        return m
    }
}

@Suite("Policies against naive models on random traces")
struct NaiveModelTests {
    /// Traces with locality: a random walk over a small page range with occasional jumps.
    static func trace(seed: UInt64, length: Int = 3000, span: UInt64 = 40) -> [UInt64] {
        var rng = SimRandom(seed: seed)
        var p: UInt64 = 0
        return (0..<length).map { _ in
            if rng.below(8) == 0 { p = rng.below(span) } else { p = (p + rng.below(3)) % span }
            return p
        }
    }

    @Test(arguments: [1, 2, 3, 7, 16, 39])
    func fifoLRUOPTAndClockMatch(frames: Int) {
        for seed in UInt64(0)..<6 {
            let pages = Self.trace(seed: seed)
            #expect(misses(fifo, frames: frames, pages) == NaiveModel.fifo(pages, frames: frames))
            #expect(misses(lru, frames: frames, pages) == NaiveModel.lru(pages, frames: frames))
            #expect(misses(opt, frames: frames, pages) == NaiveModel.opt(pages, frames: frames))
            for bits in [1, 2, 3] {
                #expect(misses(PolicySpec(.clock, parameter: bits), frames: frames, pages)
                        == NaiveModel.clock(pages, frames: frames, bits: bits))
            }
        }
    }

    @Test func optIsALowerBoundAndLRUIsAStackAlgorithm() {
        for seed in UInt64(10)..<16 {
            let pages = Self.trace(seed: seed, length: 5000, span: 80)
            var previousLRU = UInt64.max
            for frames in 1...40 {
                let o = misses(opt, frames: frames, pages)
                for spec in [fifo, lru, clock, mru, random] {
                    #expect(o <= misses(spec, frames: frames, pages, seed: seed))
                }
                let l = misses(lru, frames: frames, pages)
                #expect(l <= previousLRU)
                previousLRU = l
            }
        }
    }

    @Test func randomIsReproducibleAndSeedDependent() {
        let pages = Self.trace(seed: 99, length: 20_000, span: 200)
        let a = misses(random, frames: 50, pages, seed: 1)
        #expect(a == misses(random, frames: 50, pages, seed: 1))
        let others = (2..<6).map { misses(random, frames: 50, pages, seed: UInt64($0)) }
        #expect(others.contains { $0 != a })
    }
}

@Suite("Dirty evictions and the run harness")
struct PagingSimulationTests {
    // Worked by hand, FIFO at 2 frames: S1 (miss, dirty) L2 (miss) L3 (miss, evicts dirty 1: one
    // write-back) S2 (hit, 2 dirty) L4 (miss, evicts 2: dirty, second write-back) L5 (miss,
    // evicts 3: clean).
    @Test func countsWriteBacksOfDirtyVictims() {
        let trace = [PageAccess(page: 1, kind: .store), PageAccess(page: 2), PageAccess(page: 3),
                     PageAccess(page: 2, kind: .store), PageAccess(page: 4), PageAccess(page: 5)]
        let s = run(fifo, frames: 2, trace)
        #expect(s.accesses == 6)
        #expect(s.misses == 5)
        #expect(s.hits == 1)
        #expect(s.evictions == 3)
        #expect(s.dirtyEvictions == 2)
        #expect(s.writes == 2)
    }

    @Test func parallelRunEqualsSequentialRuns() throws {
        let pages = NaiveModelTests.trace(seed: 5, length: 50_000, span: 500).enumerated().map {
            PageAccess(page: $0.element, kind: $0.offset % 5 == 0 ? .store : .load)
        }
        var annotated = pages
        var index = NextUseIndex()
        _ = annotated.withUnsafeBufferPointer { index.record($0) }
        annotated.withUnsafeMutableBufferPointer { index.annotate($0, startingAt: 0) }
        let specs = [fifo, lru, clock, PolicySpec(.clock, parameter: 4), mru, random, opt]
        let parallel = try PagingRun(policies: specs, frames: [10, 100, 300], seed: 9, parallelism: 4)
        let sequential = try PagingRun(policies: specs, frames: [10, 100, 300], seed: 9, parallelism: 1)
        // Feed in uneven batches, as a reader would.
        var start = 0
        var size = 1
        while start < annotated.count {
            let end = min(annotated.count, start + size)
            try annotated[start..<end].withUnsafeBufferPointer { (b: UnsafeBufferPointer<PageAccess>) throws in
                try parallel.feed(b)
                try sequential.feed(b)
            }
            start = end
            size = size * 3 + 1
        }
        #expect(parallel.results == sequential.results)
        #expect(parallel.results.count == 21)
        #expect(parallel.results.allSatisfy { $0.stats.accesses == 50_000 })
    }

    @Test func nextUseIndexMatchesAForwardScan() {
        let pages = NaiveModelTests.trace(seed: 8, length: 2000, span: 30)
        var accesses = pages.map { PageAccess(page: $0) }
        var index = NextUseIndex()
        _ = accesses.withUnsafeBufferPointer { index.record($0) }
        accesses.withUnsafeMutableBufferPointer { index.annotate($0, startingAt: 0) }
        for (i, a) in accesses.enumerated() {
            let expected = pages[(i + 1)...].firstIndex(of: pages[i]).map(Int64.init) ?? PageAccess.never
            #expect(a.nextUse == expected)
        }
        #expect(index.distinctPages == Set(pages).count)
    }
}

@Suite("Policy names")
struct PolicySpecTests {
    @Test func parsesNamesAndParameters() throws {
        #expect(try PolicySpec(parsing: "LRU") == lru)
        #expect(try PolicySpec(parsing: "clock:3") == PolicySpec(.clock, parameter: 3))
        #expect(try PolicySpec(parsing: "clock:1").description == "clock")
        #expect(try PolicySpec(parsing: "clock:2").description == "clock:2")
    }

    @Test func rejectsUnknownNamesListingTheValidOnes() {
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "lfu2") }
        do {
            _ = try PolicySpec(parsing: "bogus")
        } catch {
            #expect(error.description.contains("fifo, lru"))
        }
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "clock:9") }
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "clock:") }
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "lru:2") }
    }
}

@Suite("RecencyLog")
struct RecencyLogTests {
    /// LRU and MRU through a log whose 32-bit stamp clock starts just below its wrap point, so the
    /// run renumbers the live entries several times; the miss counts must still match the naive LRU.
    @Test func survivesStampRenumbering() {
        let pages = NaiveModelTests.trace(seed: 21, length: 4000, span: 60)
        for frames in [1, 5, 20] {
            var policy = LRUPolicy(frames: frames)
            policy.recency.clock = UInt32.max - 10
            var misses: UInt64 = 0
            for (i, p) in pages.enumerated() {
                if policy.reference(p, nextUse: 0).event != .hit { misses += 1 }
                if i % 997 == 0 { policy.recency.clock = UInt32.max - 3 }
            }
            #expect(misses == NaiveModel.lru(pages, frames: frames))
        }
    }

    /// A hit-only stream keeps appending to the log, forcing compactions with nothing to evict.
    @Test func compactsUnderLongRunsOfHits() {
        var policy = LRUPolicy(frames: 3)
        var misses = 0
        for i in 0..<100_000 where policy.reference(UInt64(i % 3), nextUse: 0).event != .hit { misses += 1 }
        #expect(misses == 3)
        #expect(policy.recency.length <= policy.recency.log.count)
        // The last references were to page 1 (i = 99,997), 2 and 0, so page 1 is least recent.
        #expect(policy.reference(7, nextUse: 0).victim == 1)
    }
}
