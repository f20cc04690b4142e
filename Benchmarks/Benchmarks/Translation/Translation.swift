import Benchmark
import VMSim
import VMTrace

/// workloads/sort.lackey.gz: the real Valgrind trace bundled with the repository.
let sortTrace: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)   // Benchmarks/Benchmarks/Translation/Translation.swift
    return parts.joined(separator: "/") + "/workloads/sort.lackey.gz"
}()

/// Every access of a trace, read once into memory so that only translation is timed.
func loadAddresses(_ path: String) throws -> [AddressAccess] {
    let reader = try AccessTrace.openAddresses(path, options: AccessTraceOptions(format: .lackey))
    var out: [AddressAccess] = []
    while true {
        let batch = try reader.nextBatch()
        if batch.isEmpty { return out }
        out.append(contentsOf: batch)
    }
}

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
            try measure(MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 16 << 30)), stream, benchmark)
        }
    }

    // The real trace: GNU sort under Valgrind, 99.99% TLB hits, with the locality real code has.
    // One million accesses from its middle (accesses 3,000,000 to 3,999,999), read once into memory.
    if let sort = try? loadAddresses(sortTrace), sort.count >= 4_000_000 {
        let middle = Array(sort[3_000_000..<4_000_000])
        Benchmark("x86-64 skylake, sort.lackey (Valgrind), 1M accesses, translation only",
                  configuration: .init(scalingFactor: .mega)) { benchmark in
            try measure(MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 4 << 30)), middle, benchmark)
        }
    }

    let walkHeavy = coldStream(count: count, pages: 1 << 18, seed: 5)
    Benchmark("x86-64 hashed table, walk-heavy stream, 1M translations", configuration: .init(scalingFactor: .mega)) { benchmark in
        try measure(MMU<HashedPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 4 << 30)), walkHeavy, benchmark)
    }
    Benchmark("x86-64 inverted table, walk-heavy stream, 1M translations", configuration: .init(scalingFactor: .mega)) { benchmark in
        try measure(MMU<InvertedPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 4 << 30)), walkHeavy, benchmark)
    }
}

/// Maps every page of `stream` (first touches are not what is measured), then times a second pass.
func measure<T: PageTable>(_ mmu: MMU<T>, _ stream: [AddressAccess], _ benchmark: Benchmark) throws {
    var sim = try TraceTranslation(mmu: mmu, mapSize: .base4K)
    stream.withUnsafeBufferPointer { _ = sim.run($0) }
    benchmark.startMeasurement()
    stream.withUnsafeBufferPointer { _ = sim.run($0) }
    benchmark.stopMeasurement()
    blackHole(sim.mmu.stats.walks)
}
