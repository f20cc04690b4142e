import Dispatch

/// The result of one allocator over one trace.
public struct HeapResult: Sendable {
    public var policy: HeapPolicy
    public var stats: HeapStats
    /// Seconds spent simulating (not reading the trace), for operations per second.
    public var seconds: Double

    /// Simulated operations per second (0 when too fast to time).
    public var opsPerSecond: Double { seconds > 0 ? Double(stats.ops) / seconds : 0 }
}

/// One allocator behind a reference, so that a run can hold several of different types.
public protocol HeapSimulator: AnyObject, Sendable {
    var policy: HeapPolicy { get }
    /// Replays a batch.
    func run(_ ops: UnsafeBufferPointer<HeapOp>)
    /// The statistics so far.
    func finish() -> HeapStats
    /// Seconds spent in `run`.
    var seconds: Double { get }
}

final class HeapSimulatorBox<Allocator: HeapAllocator>: HeapSimulator, @unchecked Sendable {
    let policy: HeapPolicy
    var simulation: HeapSimulation<Allocator>
    var seconds = 0.0

    init(policy: HeapPolicy, simulation: HeapSimulation<Allocator>) {
        self.policy = policy
        self.simulation = simulation
    }

    func run(_ ops: UnsafeBufferPointer<HeapOp>) {
        let clock = ContinuousClock()
        let start = clock.now
        simulation.run(ops)
        let d = clock.now - start
        seconds += Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    func finish() -> HeapStats { simulation.finish() }
}

extension HeapPolicy {
    /// A simulator of this policy under `model`.
    public func makeSimulator(model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10) -> any HeapSimulator {
        if self == .buddy {
            var simulation = HeapSimulation(allocator: BuddyHeap(model: model), checking: checking)
            simulation.leakLimit = leakLimit
            return HeapSimulatorBox(policy: self, simulation: simulation)
        }
        var simulation = HeapSimulation(allocator: FreeListAllocator(policy: self, model: model), checking: checking)
        simulation.leakLimit = leakLimit
        return HeapSimulatorBox(policy: self, simulation: simulation)
    }
}

/// Runs several allocators over one stream of heap operations: the trace is read once and each
/// batch goes to every allocator, in parallel across cores when there are several. Each sees the
/// batches in trace order, so the results equal those of separate sequential runs.
///
///     let run = HeapRun(policies: [.first, .best], model: HeapModel())
///     run.feed(batch)          // for each batch of the trace
///     run.results              // one HeapResult per policy, in the order given
public final class HeapRun: @unchecked Sendable {
    // Unchecked: `feed` is the only mutating entry point and it is not reentrant; within it each
    // simulator is touched by exactly one worker.
    public let simulators: [any HeapSimulator]
    public let parallelism: Int

    /// - Parameters:
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    public init(policies: [HeapPolicy], model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10,
                parallelism: Int? = nil) {
        simulators = policies.map { $0.makeSimulator(model: model, checking: checking, leakLimit: leakLimit) }
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Feeds one batch to every simulator.
    /// - Complexity: O(batch.count × simulators × cost per operation), over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<HeapOp>) {
        let sims = simulators
        if parallelism == 1 || sims.count == 1 {
            for s in sims { s.run(batch) }
            return
        }
        let workers = min(parallelism, sims.count)
        let shared = SharedHeapBatch(batch)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < sims.count {
                sims[i].run(shared.batch)
                i += workers
            }
        }
    }

    /// One result per policy, in the order given.
    public var results: [HeapResult] {
        simulators.map { HeapResult(policy: $0.policy, stats: $0.finish(), seconds: $0.seconds) }
    }
}

/// A batch handed to the workers of one `feed`, which returns only when every worker is done.
struct SharedHeapBatch: @unchecked Sendable {
    let batch: UnsafeBufferPointer<HeapOp>
    init(_ batch: UnsafeBufferPointer<HeapOp>) { self.batch = batch }
}
