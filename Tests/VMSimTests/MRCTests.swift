import Testing
@testable import VMSim

/// Brute-force LRU stack distances: the position of the page in an explicit LRU stack.
func naiveStackDistances(_ pages: [UInt64]) -> (histogram: [Int: UInt64], cold: UInt64) {
    var stack: [UInt64] = []   // most recent first
    var histogram: [Int: UInt64] = [:]
    var cold: UInt64 = 0
    for p in pages {
        if let i = stack.firstIndex(of: p) {
            histogram[i + 1, default: 0] += 1
            stack.remove(at: i)
        } else {
            cold += 1
        }
        stack.insert(p, at: 0)
    }
    return (histogram, cold)
}

func stackDistances(_ pages: [UInt64], batch: Int = 97) -> StackDistances {
    var sd = StackDistances()
    let accesses = pages.map { PageAccess(page: $0) }
    var start = 0
    while start < accesses.count {
        let end = min(accesses.count, start + batch)
        accesses[start..<end].withUnsafeBufferPointer { sd.record($0) }
        start = end
    }
    return sd
}

@Suite("Stack distances and miss-ratio curves")
struct MRCTests {
    @Test func stackDistancesEqualABruteForceStack() {
        for seed in UInt64(0)..<4 {
            // Long enough (and with enough distinct pages) to force several compactions.
            let pages = lcgTrace(seed: seed, count: 40_000, span: 3000)
            let sd = stackDistances(pages)
            let naive = naiveStackDistances(pages)
            #expect(sd.coldMisses == naive.cold)
            #expect(sd.references == UInt64(pages.count))
            for (d, count) in sd.histogram.enumerated() where d > 0 {
                #expect(count == naive.histogram[d, default: 0], "distance \(d)")
            }
            #expect(naive.histogram.keys.allSatisfy { $0 < sd.histogram.count })
        }
    }

    @Test func theCurveEqualsLRUSimulationAtEverySize() {
        let pages = lcgTrace(seed: 42, count: 6000, span: 150)
        let sd = stackDistances(pages)
        let distinct = Set(pages).count
        #expect(sd.distinctPages == distinct)
        let curve = sd.misses(upTo: distinct + 5)
        for frames in 1...(distinct + 5) {
            #expect(curve[frames - 1] == misses(lru, frames: frames, pages), "\(frames) frames")
        }
        #expect(curve.last == UInt64(distinct))
    }

    @Test func shardsAtRateOneEqualsTheExactCurve() {
        let pages = lcgTrace(seed: 9, count: 20_000, span: 800)
        let sd = stackDistances(pages)
        let exact = sd.misses(upTo: 800).map { Double($0) / Double(pages.count) }
        for mode in [SHARDS.Mode.fixedRate(1), .fixedSize(1_000_000)] {
            var shards = SHARDS(mode)
            pages.map { PageAccess(page: $0) }.withUnsafeBufferPointer { shards.record($0) }
            #expect(shards.rate == 1)
            #expect(shards.sampledReferences == UInt64(pages.count))
            let estimate = shards.missRatios(upTo: 800)
            for i in exact.indices { #expect(abs(estimate[i] - exact[i]) < 1e-12, "\(mode) at \(i + 1)") }
        }
    }

    /// Sampling on a trace with many pages: the estimate must be close to the exact curve (the
    /// published SHARDS error at R = 0.1 is well under 0.01 mean absolute error on real traces).
    @Test func shardsEstimatesAreClose() {
        let pages = lcgTrace(seed: 5, count: 200_000, span: 20_000)
        let sd = stackDistances(pages, batch: 4096)
        let sizes = stride(from: 100, through: 20_000, by: 100).map { $0 }
        let exact = sd.misses(upTo: 20_000)
        for mode in [SHARDS.Mode.fixedRate(0.1), .fixedSize(2000)] {
            var shards = SHARDS(mode)
            pages.map { PageAccess(page: $0) }.withUnsafeBufferPointer { shards.record($0) }
            let estimate = shards.missRatios(upTo: 20_000)
            var error = 0.0
            for c in sizes { error += abs(estimate[c - 1] - Double(exact[c - 1]) / Double(pages.count)) }
            error /= Double(sizes.count)
            #expect(error < 0.01, "\(mode): mean absolute error \(error)")
            if case .fixedSize = mode {
                #expect(shards.sampledPages <= 2000)
                #expect(shards.rate < 0.2)
            }
        }
    }

    @Test func workingSetEqualsACountOfTheWindow() {
        let pages = lcgTrace(seed: 3, count: 5000, span: 200)
        for window in [1, 7, 100, 6000] {
            var ws = WorkingSet(window: window)
            var sum = 0, largest = 0
            var expectedSamples: [(UInt64, Int)] = []
            for (i, p) in pages.enumerated() {
                ws.record(p)
                let t = i + 1
                let w = Set(pages[max(0, t - window)..<t]).count
                sum += w
                largest = max(largest, w)
                if t % window == 0 { expectedSamples.append((UInt64(t), w)) }
            }
            ws.finish()
            if pages.count % window != 0 { expectedSamples.append((UInt64(pages.count), Set(pages.suffix(window)).count)) }
            #expect(ws.maximum == largest)
            #expect(abs(ws.mean - Double(sum) / Double(pages.count)) < 1e-9)
            #expect(ws.samples.map(\.time) == expectedSamples.map(\.0))
            #expect(ws.samples.map(\.pages) == expectedSamples.map(\.1))
        }
    }

    @Test func distanceBucketsArePowersOfTwo() {
        let buckets = DistanceBucket.buckets(ContiguousArray<UInt64>([0, 5, 1, 2, 0, 0, 0, 0, 3]))
        #expect(buckets.map(\.lower) == [1, 2, 4, 8])
        #expect(buckets.map(\.upper) == [1, 3, 7, 15])
        #expect(buckets.map(\.references) == [5, 3, 0, 3])
    }
}
