import Benchmark
import VMSim

/// A Zipf(1.0) page stream over `distinct` pages, from the simulation's seeded generator
/// (inverse-CDF sampling over a precomputed cumulative table).
func zipfPages(count: Int, distinct: Int, seed: UInt64) -> [PageAccess] {
    var cdf = [Double](repeating: 0, count: distinct)
    var total = 0.0
    for k in 0..<distinct {
        total += 1.0 / Double(k + 1)
        cdf[k] = total
    }
    var rng = SimRandom(seed: seed)
    var out: [PageAccess] = []
    out.reserveCapacity(count)
    for _ in 0..<count {
        let u = Double(rng.next() >> 11) / Double(1 << 53) * total
        var lo = 0, hi = distinct - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        // Scatter ranks over the page-number space so that hot pages are not adjacent.
        out.append(PageAccess(page: UInt64(lo) &* 0x9E37_79B9 & 0xFFFF_FFFF))
    }
    return out
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 20)
    let references = 1_000_000
    let pages = zipfPages(count: references, distinct: 100_000, seed: 1)

    for frames in [1_000, 20_000] {
        for kind in [PolicyKind.fifo, .lru, .clock] {
            Benchmark("\(kind.rawValue) \(frames) frames, 1M Zipf references",
                      configuration: .init(scalingFactor: .mega)) { benchmark in
                let sim = PolicySpec(kind).makeSimulator(frames: frames, seed: 0)
                benchmark.startMeasurement()
                pages.withUnsafeBufferPointer { sim.run($0) }
                benchmark.stopMeasurement()
                blackHole(sim.result.stats.misses)
            }
        }
    }
}
