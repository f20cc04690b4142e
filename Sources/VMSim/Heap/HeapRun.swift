#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of one allocator over one trace.
public struct HeapResult: Sendable {
    /// The allocator that ran.
    public var policy: HeapPolicy
    /// Its counts and figures.
    public var stats: HeapStats
    /// Processor seconds spent simulating (not reading the trace; the thread's CPU time, so that
    /// other work on a shared machine does not count), for operations per second.
    public var seconds: Double

    /// Simulated operations per second (0 when too fast to time).
    public var opsPerSecond: Double { seconds > 0 ? Double(stats.ops) / seconds : 0 }
}

/// One allocator behind a reference, so that a run can hold several of different types.
public protocol HeapSimulator: AnyObject, Sendable {
    /// The allocator simulated.
    var policy: HeapPolicy { get }
    /// Replays a batch.
    func run(_ ops: UnsafeBufferPointer<HeapOp>)
    /// The statistics so far.
    func finish() -> HeapStats
    /// Seconds spent in `run`.
    var seconds: Double { get }
}

/// The free-list heap behind a reference. Concrete (not generic) so that the replay loop is
/// specialised for the allocator: a generic class's methods would run unspecialised.
final class FreeListSimulator: HeapSimulator, @unchecked Sendable {
    // Unchecked: one worker at a time mutates a simulator (HeapRun.feed).
    let policy: HeapPolicy
    var simulation: HeapSimulation<FreeListAllocator>
    var seconds = 0.0

    init(policy: HeapPolicy, simulation: HeapSimulation<FreeListAllocator>) {
        self.policy = policy
        self.simulation = simulation
    }

    func run(_ ops: UnsafeBufferPointer<HeapOp>) {
        let start = threadCPUSeconds()
        simulation.run(ops)
        seconds += threadCPUSeconds() - start
    }

    func finish() -> HeapStats { simulation.finish() }
}

/// The buddy heap behind a reference.
final class BuddySimulator: HeapSimulator, @unchecked Sendable {
    let policy = HeapPolicy.buddy
    var simulation: HeapSimulation<BuddyHeap>
    var seconds = 0.0

    init(simulation: HeapSimulation<BuddyHeap>) { self.simulation = simulation }

    func run(_ ops: UnsafeBufferPointer<HeapOp>) {
        let start = threadCPUSeconds()
        simulation.run(ops)
        seconds += threadCPUSeconds() - start
    }

    func finish() -> HeapStats { simulation.finish() }
}

extension HeapPolicy {
    /// A simulator of this policy under `model`.
    /// - Complexity: O(1).
    public func makeSimulator(model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10) -> any HeapSimulator {
        if self == .buddy {
            var simulation = HeapSimulation(allocator: BuddyHeap(model: model), checking: checking)
            simulation.leakLimit = leakLimit
            return BuddySimulator(simulation: simulation)
        }
        var simulation = HeapSimulation(allocator: FreeListAllocator(policy: self, model: model), checking: checking)
        simulation.leakLimit = leakLimit
        return FreeListSimulator(policy: self, simulation: simulation)
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
    /// The simulators, one per policy, in the order given.
    public let simulators: [any HeapSimulator]
    /// How many simulators run at once; 1 runs them one after the other on the calling thread.
    public let parallelism: Int

    /// Every policy under `model`, side by side.
    /// - Parameters:
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    ///   - policies: the allocators, each run over the whole trace.
    ///   - model: the heap model they share.
    ///   - checking: how much invariant checking each does.
    ///   - leakLimit: how many of the largest unfreed blocks each lists.
    /// - Complexity: O(policies).
    public init(policies: [HeapPolicy], model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10,
                parallelism: Int? = nil) {
        simulators = policies.map { $0.makeSimulator(model: model, checking: checking, leakLimit: leakLimit) }
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Feeds one batch to every simulator.
    /// - Complexity: O(batch.count × simulators × cost per operation), over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<HeapOp>) {
        let sims = simulators
        let shared = SharedBuffer(batch)
        Parallel.forEach(sims.count, parallelism: parallelism) { i in sims[i].run(shared.buffer) }
    }

    /// One result per policy, in the order given.
    /// - Complexity: O(policies × live handles × log live handles), as `HeapSimulation.finish()`.
    public var results: [HeapResult] {
        simulators.map { HeapResult(policy: $0.policy, stats: $0.finish(), seconds: $0.seconds) }
    }
}

/// The calling thread's processor time in seconds (CLOCK_THREAD_CPUTIME_ID).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
