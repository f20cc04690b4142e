import Testing
@testable import VMSim

/// A trace with locality from a 64-bit LCG that is easy to reproduce in Python (see
/// `libCacheSimCounts`): a walk over `span` pages with random jumps; pages numbered from 1.
func lcgTrace(seed: UInt64, count: Int, span: UInt64) -> [UInt64] {
    var x = seed
    var p: UInt64 = 0
    var out: [UInt64] = []
    for _ in 0..<count {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        let r = x >> 33
        if r % 8 == 0 { p = (r >> 3) % span } else { p = (p + (r >> 3) % 3) % span }
        out.append(p + 1)
    }
    return out
}

let allPolicySpecs: [PolicySpec] = PolicyKind.allCases.map { PolicySpec($0) }
    + [PolicySpec(.clock, parameter: 2), PolicySpec(.wsclock, parameter: 50), PolicySpec(.nru, parameter: 7),
       PolicySpec(.aging, parameter: 5)]

@Suite("Policies against libCacheSim's counts")
struct LibCacheSimCountTests {
    /// Misses of libCacheSim 0.3.5 (PyPI `libcachesim`, C `process_trace`) on
    /// `lcgTrace(seed: 7, count: 5000, span: 120)` written as an oracleGeneral file, at 4, 10, 20,
    /// 50 and 100 frames; computed with the script in bench/ (`lcs.<Policy>(cache_size=n)`).
    /// S3FIFO is left out below 20 frames and LIRS is not listed: both are documented variants there.
    static let counts: [(String, [UInt64?])] = [
        ("lru", [3520, 3355, 3033, 2235, 677]),
        ("arc", [3512, 3339, 3043, 2227, 674]),
        ("2q", [3507, 3347, 3067, 2127, 685]),
        ("s3-fifo", [nil, nil, 3051, 2166, 670]),
        ("sieve", [3515, 3333, 3061, 2177, 687]),
        ("lfu", [3479, 3310, 3015, 2120, 673]),
        ("lru-k", [3498, 3314, 3052, 2146, 701]),
    ]

    @Test func missCountsEqualLibCacheSims() throws {
        let pages = lcgTrace(seed: 7, count: 5000, span: 120)
        #expect(Array(pages.prefix(8)) == [2, 4, 5, 7, 7, 8, 54, 55])
        for (name, expected) in Self.counts {
            let spec = try PolicySpec(parsing: name)
            for (frames, count) in zip([4, 10, 20, 50, 100], expected) {
                guard let count else { continue }
                #expect(misses(spec, frames: frames, pages) == count, "\(name) at \(frames) frames")
            }
        }
    }
}

/// Checks the frame-slot contract of `ReplacementPolicy` on `pages` and returns the misses: a hit
/// names the page's slot, a fill takes the next unused slot, an eviction names the page resident in
/// the slot it reuses, and no more than `frames` pages are ever resident.
func contractMisses<P: ReplacementPolicy>(_ policy: P, _ pages: [UInt64]) -> UInt64 {
    var policy = policy
    var slotPage: [Int32: UInt64] = [:]
    var pageSlot: [UInt64: Int32] = [:]
    var misses: UInt64 = 0
    for (i, p) in pages.enumerated() {
        let r = policy.reference(p, nextUse: Int64(i))
        switch r.event {
        case .hit:
            #expect(pageSlot[p] == r.slot, "hit on \(p) at \(i) names slot \(r.slot)")
        case .fill:
            misses += 1
            #expect(pageSlot[p] == nil)
            #expect(Int(r.slot) == slotPage.count, "fills take slots in order")
        case .evict:
            misses += 1
            #expect(pageSlot[p] == nil)
            #expect(slotPage[r.slot] == r.victim, "victim \(r.victim) is not in slot \(r.slot)")
            pageSlot[r.victim] = nil
        }
        slotPage[r.slot] = p
        pageSlot[p] = r.slot
        #expect(slotPage.count <= policy.frames)
        if r.event != .hit { policy.noteStore(r.slot) }
    }
    return misses
}

@Suite("Every policy")
struct EveryPolicyTests {
    @Test(arguments: [1, 2, 3, 5, 17, 64])
    func keepsTheFrameSlotContract(frames: Int) {
        let pages = lcgTrace(seed: UInt64(frames), count: 3000, span: 90)
        let expected = { (spec: PolicySpec) in misses(spec, frames: frames, pages, seed: 3) }
        #expect(contractMisses(ARCPolicy(frames: frames), pages) == expected(PolicySpec(.arc)))
        #expect(contractMisses(CARPolicy(frames: frames), pages) == expected(PolicySpec(.car)))
        #expect(contractMisses(TwoQPolicy(frames: frames), pages) == expected(PolicySpec(.twoQ)))
        #expect(contractMisses(LIRSPolicy(frames: frames), pages) == expected(PolicySpec(.lirs)))
        #expect(contractMisses(ClockProPolicy(frames: frames), pages) == expected(PolicySpec(.clockPro)))
        #expect(contractMisses(LFUPolicy(frames: frames), pages) == expected(PolicySpec(.lfu)))
        #expect(contractMisses(LRUKPolicy(frames: frames), pages) == expected(PolicySpec(.lruK)))
        #expect(contractMisses(S3FIFOPolicy(frames: frames), pages) == expected(PolicySpec(.s3fifo)))
        #expect(contractMisses(SIEVEPolicy(frames: frames), pages) == expected(PolicySpec(.sieve)))
        #expect(contractMisses(WSClockPolicy(frames: frames), pages) == expected(PolicySpec(.wsclock)))
        _ = contractMisses(NRUPolicy(frames: frames, seed: 3), pages)
        #expect(contractMisses(AgingPolicy(frames: frames), pages) == expected(PolicySpec(.aging)))
        #expect(contractMisses(Linux2ListPolicy(frames: frames), pages) == expected(PolicySpec(.linux2List)))
        #expect(contractMisses(MGLRUPolicy(frames: frames), pages) == expected(PolicySpec(.mglru)))
    }

    @Test func optIsALowerBoundAndAllFitMeansCompulsoryMissesOnly() {
        for seed in UInt64(1)...4 {
            let pages = lcgTrace(seed: seed, count: 4000, span: 70)
            let distinct = UInt64(Set(pages).count)
            for frames in [1, 2, 7, 30, 69] {
                let o = misses(opt, frames: frames, pages)
                for spec in allPolicySpecs {
                    #expect(misses(spec, frames: frames, pages, seed: seed) >= o, "\(spec) at \(frames)")
                }
            }
            for spec in allPolicySpecs {
                #expect(misses(spec, frames: 70, pages, seed: seed) == distinct, "\(spec)")
            }
        }
    }

    @Test func parallelRunEqualsSequentialRunsForEveryPolicy() {
        var accesses = lcgTrace(seed: 11, count: 30_000, span: 400).enumerated().map {
            PageAccess(page: $0.element, kind: $0.offset % 3 == 0 ? .store : .load)
        }
        var index = NextUseIndex()
        _ = accesses.withUnsafeBufferPointer { index.record($0) }
        accesses.withUnsafeMutableBufferPointer { index.annotate($0, startingAt: 0) }
        let parallel = PagingRun(policies: allPolicySpecs, frames: [3, 40, 250], seed: 5, parallelism: 4)
        let sequential = PagingRun(policies: allPolicySpecs, frames: [3, 40, 250], seed: 5, parallelism: 1)
        var start = 0, size = 7
        while start < accesses.count {
            let end = min(accesses.count, start + size)
            accesses[start..<end].withUnsafeBufferPointer {
                parallel.feed($0)
                sequential.feed($0)
            }
            start = end
            size = size * 2 + 3
        }
        #expect(parallel.results == sequential.results)
        #expect(parallel.results.count == allPolicySpecs.count * 3)
    }

    @Test func parsesTheNewNamesAndParameters() throws {
        #expect(try PolicySpec(parsing: "2Q") == PolicySpec(.twoQ))
        #expect(try PolicySpec(parsing: "S3-FIFO").description == "s3-fifo")
        #expect(try PolicySpec(parsing: "wsclock:10000").description == "wsclock")
        #expect(try PolicySpec(parsing: "wsclock:500").description == "wsclock:500")
        #expect(try PolicySpec(parsing: "nru:64").description == "nru:64")
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "aging:0") }
        #expect(throws: PolicySpec.ParseError.self) { try PolicySpec(parsing: "arc:2") }
    }
}
