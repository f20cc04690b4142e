import Benchmark
import VMSim

/// A TLB-hit-dominated stream: `count` data accesses spread over `pages` 4 KiB pages (all of
/// which fit the L1 dTLB when `pages` <= 64), at random offsets, one in eight a store.
func hotStream(count: Int, pages: UInt64, seed: UInt64) -> [AddressAccess] {
    var rng = SimRandom(seed: seed)
    return (0..<count).map { _ in
        let page = 0x7f00_0000 + rng.below(pages)
        return AddressAccess(address: page << 12 | rng.below(4096 - 8), size: 8, kind: rng.below(8) == 0 ? .store : .load)
    }
}

/// A TLB-miss-heavy stream: uniform over `pages` pages (beyond the STLB's reach).
func coldStream(count: Int, pages: UInt64, seed: UInt64) -> [AddressAccess] {
    var rng = SimRandom(seed: seed)
    return (0..<count).map { _ in AddressAccess(address: (0x1000 + rng.below(pages)) << 12, size: 8, kind: .load) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 20)
    let count = 1_000_000

    for (name, stream) in [("TLB-hit stream, 48 pages", hotStream(count: count, pages: 48, seed: 1)),
                           ("STLB-hit stream, 1,024 pages", hotStream(count: count, pages: 1024, seed: 2)),
                           ("walk-heavy stream, 1M pages", coldStream(count: count, pages: 1 << 20, seed: 3))] {
        Benchmark("x86-64 skylake, \(name), 1M translations", configuration: .init(scalingFactor: .mega)) { benchmark in
            let mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 16 << 30))
            var sim = try TraceTranslation(mmu: mmu, mapSize: .base4K)
            // Map every page first (first touches are not what this measures).
            stream.withUnsafeBufferPointer { _ = sim.run($0) }
            benchmark.startMeasurement()
            stream.withUnsafeBufferPointer { _ = sim.run($0) }
            benchmark.stopMeasurement()
            blackHole(sim.mmu.stats.walks)
        }
    }

    for table in ["hashed", "inverted"] {
        Benchmark("x86-64 \(table) table, walk-heavy stream, 1M translations", configuration: .init(scalingFactor: .mega)) { benchmark in
            let stream = coldStream(count: count, pages: 1 << 18, seed: 5)
            if table == "hashed" {
                var sim = try TraceTranslation(mmu: MMU<HashedPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 4 << 30)),
                                               mapSize: .base4K)
                stream.withUnsafeBufferPointer { _ = sim.run($0) }
                benchmark.startMeasurement()
                stream.withUnsafeBufferPointer { _ = sim.run($0) }
                benchmark.stopMeasurement()
                blackHole(sim.mmu.stats.walks)
            } else {
                var sim = try TraceTranslation(mmu: MMU<InvertedPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 4 << 30)),
                                               mapSize: .base4K)
                stream.withUnsafeBufferPointer { _ = sim.run($0) }
                benchmark.startMeasurement()
                stream.withUnsafeBufferPointer { _ = sim.run($0) }
                benchmark.stopMeasurement()
                blackHole(sim.mmu.stats.walks)
            }
        }
    }
}
