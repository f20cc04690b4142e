import Benchmark
import VMSim

/// A reproducible mixed-order workload: each step allocates (order uniform in 0...maxOrder, a
/// uniform migrate type) or frees a uniformly chosen live block, keeping about `live` blocks.
func mixedWorkload(_ mem: inout PhysicalMemory, steps: Int, maxOrder: Int, live: Int, seed: UInt64) -> Int {
    var rng = SimRandom(seed: seed)
    var blocks: [Int] = []
    blocks.reserveCapacity(live * 2)
    var failures = 0
    let types: [MigrateType] = [.unmovable, .movable, .reclaimable]
    for _ in 0..<steps {
        if blocks.count < live || (blocks.count < 2 * live && rng.below(2) == 0) {
            if let pfn = mem.allocPages(order: Int(rng.below(UInt64(maxOrder + 1))), migratetype: types[Int(rng.below(3))]) {
                blocks.append(pfn)
            } else {
                failures += 1
            }
        } else {
            let i = Int(rng.below(UInt64(blocks.count)))
            mem.freePages(pfn: blocks[i])
            blocks[i] = blocks[blocks.count - 1]
            blocks.removeLast()
        }
    }
    return failures
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 20)

    // Order-0 allocate/free pairs through the per-CPU lists of a 1 GiB zone.
    Benchmark("order-0 alloc/free pairs, pcp on, 1 GiB", configuration: .init(scalingFactor: .mega)) { benchmark in
        var mem = PhysicalMemory(.normal(pages: 262_144))
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let pfn = mem.allocPages(order: 0) { mem.freePages(pfn: pfn) }
        }
        benchmark.stopMeasurement()
        blackHole(mem.pcpPages)
    }

    // The same with a working set of 1000 pages held, so that pairs refill and drain.
    Benchmark("order-0 alloc/free, 1000 live pages, pcp on", configuration: .init(scalingFactor: .mega)) { benchmark in
        var mem = PhysicalMemory(.normal(pages: 262_144))
        var ring = [Int](repeating: -1, count: 1000)
        for i in ring.indices { ring[i] = mem.allocPages(order: 0) ?? -1 }
        var slot = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            mem.freePages(pfn: ring[slot])
            ring[slot] = mem.allocPages(order: 0) ?? -1
            slot = slot == 999 ? 0 : slot + 1
        }
        benchmark.stopMeasurement()
        blackHole(ring[0])
    }

    // Order-0 pairs straight through the buddy lists (pcp off): split and merge every time.
    Benchmark("order-0 alloc/free pairs, pcp off", configuration: .init(scalingFactor: .mega)) { benchmark in
        var config = PhysicalMemoryConfig.normal(pages: 262_144)
        config.pcpEnabled = false
        var mem = PhysicalMemory(config)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let pfn = mem.allocPages(order: 0) { mem.freePages(pfn: pfn) }
        }
        benchmark.stopMeasurement()
        blackHole(mem.freePagesTotal)
    }

    // Random mixed orders (0...4 and 0...10), about 2000 live blocks, 1 GiB.
    for maxOrder in [4, 10] {
        Benchmark("random mixed orders 0...\(maxOrder), 1M operations", configuration: .init(scalingFactor: .mega)) { benchmark in
            var mem = PhysicalMemory(.normal(pages: 262_144))
            benchmark.startMeasurement()
            let failures = mixedWorkload(&mem, steps: benchmark.scaledIterations.count, maxOrder: maxOrder, live: 2000, seed: 7)
            benchmark.stopMeasurement()
            blackHole(failures)
        }
    }

    // kmalloc/kfree pairs of 100 bytes (kmalloc-128).
    Benchmark("kmalloc/kfree 100-byte pairs", configuration: .init(scalingFactor: .mega)) { benchmark in
        var mem = PhysicalMemory(.normal(pages: 262_144))
        var slub = SlabAllocator(cpus: 1)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if case .object(let o) = slub.kmalloc(size: 100, memory: &mem) { slub.free(o, memory: &mem) }
        }
        benchmark.stopMeasurement()
        blackHole(slub.slabPages)
    }
}
