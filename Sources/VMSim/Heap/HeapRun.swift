#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of one allocator over one trace.
public struct HeapResult: Sendable {
    public var policy: HeapPolicy
    public var stats: HeapStats
    /// Processor seconds spent simulating (not reading the trace; the thread's CPU time, so that
    /// other work on a shared machine does not count), for operations per second.
    public var seconds: Double

    /// Simulated operations per second (0 when too fast to time).
    public var opsPerSecond: Double { seconds > 0 ? Double(stats.ops) / seconds : 0 }
}

extension HeapPolicy {
    /// A simulator of this policy under `model`; the replay loop is specialised for the
    /// allocator type here (see `Simulator`). It also counts the thread's processor time spent
    /// replaying, for `HeapResult.opsPerSecond`.
    /// - Complexity: O(1) beyond the allocator's own tables.
    public func makeSimulator(model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10) -> any BatchSimulator<HeapOp, HeapResult> {
        if self == .buddy {
            return Self.simulator(.buddy, HeapSimulation(allocator: BuddyHeap(model: model), checking: checking, mmap: model.mmap), leakLimit: leakLimit)
        }
        return Self.simulator(self, HeapSimulation(allocator: FreeListAllocator(policy: self, model: model), checking: checking,
                                                                    mmap: model.mmap),
                              leakLimit: leakLimit)
    }

    static func simulator<A: HeapAllocator>(_ policy: HeapPolicy, _ simulation: HeapSimulation<A>, leakLimit: Int) -> Simulator<HeapOp, HeapResult> {
        var simulation = simulation
        simulation.leakLimit = leakLimit
        let box = Box(simulation)
        let seconds = Box(0.0)
        return Simulator(run: { ops in
            let start = threadCPUSeconds()
            box.value.run(ops)
            seconds.value += threadCPUSeconds() - start
        }, result: { HeapResult(policy: policy, stats: box.value.finish(), seconds: seconds.value) })
    }
}

/// Runs several allocators over one stream of heap operations (`SimulationRun`): the trace is read
/// once and each batch goes to every allocator, in parallel across cores.
///
///     let run = HeapRun(policies: [.first, .best], model: HeapModel())
///     run.feed(batch)          // for each batch of the trace
///     run.results              // one HeapResult per policy, in the order given
public typealias HeapRun = SimulationRun<HeapOp, HeapResult>

extension SimulationRun where Element == HeapOp, Result == HeapResult {
    /// Every policy under one model.
    /// - Parameters:
    ///   - policies: the allocators to run, results in this order.
    ///   - model: alignment, headers, base, coalescing, limits: the heap every allocator manages.
    ///   - checking: whether each simulation checks the heap's invariants as it goes.
    ///   - leakLimit: how many of the largest unfreed blocks each result lists.
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    /// - Complexity: O(policies).
    public convenience init(policies: [HeapPolicy], model: HeapModel, checking: HeapChecking = .off, leakLimit: Int = 10,
                            parallelism: Int? = nil) {
        self.init(simulators: policies.map { $0.makeSimulator(model: model, checking: checking, leakLimit: leakLimit) },
                  parallelism: parallelism)
    }

    /// Feeds one batch to every simulator.
    /// - Complexity: O(batch.count × simulators × cost per operation), over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<HeapOp>) { feedUnchecked(batch) }
}

/// The calling thread's processor time in seconds (CLOCK_THREAD_CPUTIME_ID).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
