import Benchmark
import Foundation
import VMSim
import VMTrace

/// The repository's traces/malloclab, found from this file's place in the checkout.
let malloclab = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("traces/malloclab")

/// Every op of a trace, read once before timing.
func loadOps(_ path: String) -> [HeapOp] {
    guard let reader = try? HeapTrace.open(path) else { return [] }
    var ops: [HeapOp] = []
    while let batch = try? reader.nextBatch(), !batch.isEmpty { ops.append(contentsOf: batch) }
    return ops
}

/// A synthetic trace that builds up `live` blocks of 16 to 512 bytes, frees every other one (so
/// the free list holds about live/2 blocks), then runs `steady` operations that free a random live
/// block or allocate a new one, keeping the live count steady.
func steadyState(live: Int, steady: Int, seed: UInt64) -> (buildUp: [HeapOp], steady: [HeapOp]) {
    var rng = SimRandom(seed: seed)
    var buildUp: [HeapOp] = []
    var ids: [UInt64] = []
    var next: UInt64 = 0
    for _ in 0..<live * 2 {
        buildUp.append(.alloc(next, 16 + rng.below(497)))
        ids.append(next)
        next += 1
    }
    var kept: [UInt64] = []
    for (i, id) in ids.enumerated() {
        if i % 2 == 0 { buildUp.append(.free(id)) } else { kept.append(id) }
    }
    ids = kept
    var ops: [HeapOp] = []
    for _ in 0..<steady {
        if rng.below(2) == 0 && !ids.isEmpty {
            let i = Int(rng.below(UInt64(ids.count)))
            ops.append(.free(ids[i]))
            ids[i] = ids[ids.count - 1]
            ids.removeLast()
        } else {
            ops.append(.alloc(next, 16 + rng.below(497)))
            ids.append(next)
            next += 1
        }
    }
    return (buildUp, ops)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(5), maxIterations: 20)
    let policies: [HeapPolicy] = [.first, .next, .best, .worst]

    // The largest malloc-lab traces, replayed whole; throughput is replays per second, so
    // operations per second = throughput x the trace's op count (in the name).
    for name in ["needle", "exhaust", "alaska", "firefox-reddit"] {
        let ops = loadOps(malloclab.appendingPathComponent("\(name).rep.gz").path)
        for policy in policies {
            Benchmark("\(policy.rawValue) fit, \(name).rep (\(ops.count) ops per replay)") { benchmark in
                for _ in benchmark.scaledIterations {
                    var sim = HeapSimulation(allocator: FreeListAllocator(policy: policy, model: HeapModel()))
                    ops.withUnsafeBufferPointer { sim.run($0) }
                    blackHole(sim.allocator.heapSize)
                }
            }
        }
    }

    // Cost per operation as the live-block count grows 10x and 100x: 1M steady-state operations
    // on a heap prepared (outside the timing) with 10k, 100k and 1M live blocks.
    for live in [10_000, 100_000, 1_000_000] {
        let (buildUp, steady) = steadyState(live: live, steady: 1_000_000, seed: 7)
        for policy in policies {
            Benchmark("\(policy.rawValue) fit, 1M steady-state ops, \(live) live blocks",
                      configuration: .init(scalingFactor: .mega, maxIterations: 5)) { benchmark in
                var sim = HeapSimulation(allocator: FreeListAllocator(policy: policy, model: HeapModel()))
                buildUp.withUnsafeBufferPointer { sim.run($0) }
                benchmark.startMeasurement()
                steady.withUnsafeBufferPointer { sim.run($0) }
                benchmark.stopMeasurement()
                blackHole(sim.allocator.heapSize)
            }
        }
    }
}
