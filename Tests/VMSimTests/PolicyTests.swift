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

    @Test func parallelRunEqualsSequentialRunsForEveryPolicy() throws {
        var accesses = lcgTrace(seed: 11, count: 30_000, span: 400).enumerated().map {
            PageAccess(page: $0.element, kind: $0.offset % 3 == 0 ? .store : .load)
        }
        var index = NextUseIndex()
        _ = accesses.withUnsafeBufferPointer { index.record($0) }
        accesses.withUnsafeMutableBufferPointer { index.annotate($0, startingAt: 0) }
        let parallel = try PagingRun(policies: allPolicySpecs, frames: [3, 40, 250], seed: 5, parallelism: 4)
        let sequential = try PagingRun(policies: allPolicySpecs, frames: [3, 40, 250], seed: 5, parallelism: 1)
        var start = 0, size = 7
        while start < accesses.count {
            let end = min(accesses.count, start + size)
            try accesses[start..<end].withUnsafeBufferPointer { (b: UnsafeBufferPointer<PageAccess>) throws in
                try parallel.feed(b)
                try sequential.feed(b)
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

/// Direct transcriptions of the papers' pseudo-code over plain arrays, to check the fast policies.
enum PaperModel {
    /// CAR (Bansal & Modha, FAST 2004, Figure 2). Clocks as arrays: index 0 is the hand ("head").
    static func car(_ pages: [UInt64], frames c: Int) -> UInt64 {
        var t1: [(UInt64, Bool)] = [], t2: [(UInt64, Bool)] = []
        var b1: [UInt64] = [], b2: [UInt64] = []   // LRU at index 0
        var p = 0.0
        var misses: UInt64 = 0
        for x in pages {
            if let i = t1.firstIndex(where: { $0.0 == x }) { t1[i].1 = true; continue }
            if let i = t2.firstIndex(where: { $0.0 == x }) { t2[i].1 = true; continue }
            misses += 1
            let inB1 = b1.contains(x), inB2 = b2.contains(x)
            if t1.count + t2.count == c {
                // replace()
                while true {
                    if Double(t1.count) >= max(1, p) {
                        let head = t1.removeFirst()
                        if !head.1 { b1.append(head.0); break }
                        t2.append((head.0, false))
                    } else {
                        let head = t2.removeFirst()
                        if !head.1 { b2.append(head.0); break }
                        t2.append((head.0, false))
                    }
                }
                if !inB1 && !inB2 {
                    if t1.count + b1.count == c { b1.removeFirst() }
                    else if t1.count + t2.count + b1.count + b2.count == 2 * c { b2.removeFirst() }
                }
            }
            if !inB1 && !inB2 {
                t1.append((x, false))
            } else if inB1 {
                p = min(p + max(1, Double(b2.count) / Double(b1.count)), Double(c))
                b1.removeAll { $0 == x }
                t2.append((x, false))
            } else {
                p = max(p - max(1, Double(b1.count) / Double(b2.count)), 0)
                b2.removeAll { $0 == x }
                t2.append((x, false))
            }
        }
        return misses
    }

    /// LIRS (Jiang & Zhang, SIGMETRICS 2002, section 3.3), with S bounded at 2 × frames entries by
    /// dropping the ghost that became non-resident earliest, as LIRSPolicy does.
    static func lirs(_ pages: [UInt64], frames c: Int) -> UInt64 {
        let hirLimit = max(1, c / 100), lirLimit = c - hirLimit
        var s: [UInt64] = []       // bottom at index 0, top at the end
        var q: [UInt64] = []       // front at index 0
        var lir = Set<UInt64>(), resident = Set<UInt64>()
        var ghostOrder: [UInt64] = []
        var misses: UInt64 = 0
        func prune() {
            while let b = s.first, !lir.contains(b) {
                s.removeFirst()
                if !resident.contains(b) { ghostOrder.removeAll { $0 == b } }
            }
        }
        func demote() {
            let b = s.removeFirst()
            lir.remove(b)
            q.append(b)
            prune()
        }
        func bound() {
            while s.count > 2 * c, let g = ghostOrder.first {
                ghostOrder.removeFirst()
                s.removeAll { $0 == g }
            }
        }
        for x in pages {
            let inS = s.contains(x)
            if resident.contains(x) {
                if lir.contains(x) {
                    s.removeAll { $0 == x }; s.append(x); prune()
                } else if inS && lirLimit > 0 {
                    s.removeAll { $0 == x }; s.append(x)
                    q.removeAll { $0 == x }
                    lir.insert(x)
                    demote()
                    bound()
                } else {
                    s.removeAll { $0 == x }; s.append(x)
                    q.removeAll { $0 == x }; q.append(x)
                    bound()
                }
                continue
            }
            misses += 1
            if resident.count == c {
                let v = q.removeFirst()
                resident.remove(v)
                if s.contains(v) { ghostOrder.append(v) }
            }
            resident.insert(x)
            if inS {
                ghostOrder.removeAll { $0 == x }
                s.removeAll { $0 == x }
            }
            s.append(x)
            if inS && lirLimit > 0 {
                lir.insert(x)
                demote()
            } else if lir.count < lirLimit {
                lir.insert(x)
            } else {
                q.append(x)
            }
            bound()
        }
        return misses
    }
}

@Suite("CAR and LIRS against the papers' pseudo-code")
struct PaperModelTests {
    @Test(arguments: [1, 2, 3, 8, 25, 60])
    func carAndLIRSMatch(frames: Int) {
        for seed in UInt64(0)..<4 {
            let pages = lcgTrace(seed: seed &+ 100, count: 3000, span: 80)
            #expect(misses(PolicySpec(.car), frames: frames, pages) == PaperModel.car(pages, frames: frames))
            #expect(misses(PolicySpec(.lirs), frames: frames, pages) == PaperModel.lirs(pages, frames: frames))
        }
    }

    /// LIRS on the paper's example (Jiang & Zhang 2002, Figure 4 setting: Llirs = 2, Lhirs = 1, here
    /// 3 frames gives Lhirs = 1, Llirs = 2), worked by hand: A B C fill (A B LIR, C HIR); D misses,
    /// evicts C (ghost C stays in S); C misses again: it is in S as a ghost, so it becomes LIR and the
    /// bottom LIR A is demoted to Q, and D (front of Q) is evicted; A hits as a resident HIR.
    @Test func handWorkedLIRS() {
        #expect(misses(PolicySpec(.lirs), frames: 3, [1, 2, 3, 4, 3, 1]) == 5)
        var policy = LIRSPolicy(frames: 3)
        for p: UInt64 in [1, 2, 3, 4, 3] { _ = policy.reference(p, nextUse: 0) }
        #expect(policy.reference(1, nextUse: 0).event == .hit)
        #expect(policy.reference(4, nextUse: 0).event != .hit)
    }
}

@Suite("Linux reclaim models")
struct LinuxReclaimTests {
    /// Worked by hand at 2 frames: 1 and 2 load inactive and referenced; 1 again activates it; 3 misses:
    /// inactive (2) is not below active (1), so the inactive tail 2 is referenced and rotates, then
    /// 2 is at the tail again, unreferenced, and is reclaimed. 2 misses and reclaims: first the lists
    /// balance (inactive 3 is not below active 1), then 3 rotates once and goes. 1 is still resident.
    @Test func twoListHandWorked() {
        var policy = Linux2ListPolicy(frames: 2)
        let events = [1, 2, 1, 3, 2, 1].map { policy.reference(UInt64($0), nextUse: 0) }
        #expect(events.map(\.event) == [.fill, .fill, .hit, .evict, .evict, .hit])
        #expect(events[3].victim == 2)
        #expect(events[4].victim == 3)
        #expect(Linux2ListPolicy.inactiveRatio(pages: 1 << 18) == 3)      // 1 GiB
        #expect(Linux2ListPolicy.inactiveRatio(pages: 10 << 18) == 10)    // 10 GiB
        #expect(Linux2ListPolicy.inactiveRatio(pages: 100 << 18) == 31)   // 100 GiB
        #expect(Linux2ListPolicy.inactiveRatio(pages: 1024 << 18) == 101) // 1 TiB
        #expect(Linux2ListPolicy.inactiveRatio(pages: 1000) == 1)
    }

    /// A page referenced once (a scan) must not push out a page referenced repeatedly: the hot page
    /// is active, and the scan pages cycle through the inactive list.
    @Test func twoListAndMGLRUResistAScan() {
        var pages: [UInt64] = []
        for i in 0..<2000 { pages.append(1); pages.append(UInt64(100 + i)) }
        for spec in [PolicySpec(.linux2List), PolicySpec(.mglru)] {
            // Only the first touch of page 1 misses; every scan page misses once.
            #expect(misses(spec, frames: 4, pages) == 2001, "\(spec)")
        }
    }

    /// MGLRU by hand at 3 frames: 1 2 3 fault into the youngest generation (seq 1). 4 needs a frame:
    /// 2 generations exist, so aging opens seq 2; seq 0 is empty and is retired; the oldest (seq 1)
    /// tail is 1, accessed since placement? No (only faulted), so 1 is evicted. Then 2 is referenced;
    /// 5 needs a frame: 3 generations, youngest (seq 2, holding 4) has 1 of 3 pages, oldest (seq 1,
    /// holding 2 and 3) has 2: no aging. The tail of seq 1 is 2, referenced after the aging at 4, so
    /// it is promoted to the youngest generation; 3 is evicted.
    @Test func mglruHandWorked() {
        var policy = MGLRUPolicy(frames: 3)
        let events = [1, 2, 3, 4, 2, 5].map { policy.reference(UInt64($0), nextUse: 0) }
        #expect(events.map(\.event) == [.fill, .fill, .fill, .evict, .hit, .evict])
        #expect(events[3].victim == 1)
        #expect(events[5].victim == 3)
    }
}
