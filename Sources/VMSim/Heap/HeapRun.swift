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
    /// The heap's layout when the payload peaked, when asked for (`HeapLayout.probe`).
    public var layout: HeapLayout?
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

/// How full each stretch of a heap is at one moment: the heap cut into `cells` equal stretches of
/// `cellBytes` (the last may be shorter), and the share of each held by allocated blocks (headers
/// and padding included) rather than free ones.
public struct HeapLayout: Hashable, Sendable {
    /// Operations done at that moment.
    public var op: UInt64
    /// The heap's first address and size then.
    public var base: UInt64, heapSize: UInt64
    /// Bytes per cell.
    public var cellBytes: UInt64
    /// Allocated share of each cell, 0 to 1, in address order.
    public var allocated: [Double]

    /// The layout of `allocator`'s heap in at most `cells` cells, from its free blocks.
    /// - Complexity: O(free blocks + cells).
    public init<A: HeapAllocator>(_ allocator: A, op: UInt64, cells: Int = 256) {
        self.op = op
        let base = allocator.base, heapSize = allocator.heapSize
        let n = UInt64(Swift.max(1, cells))
        let cellBytes = Swift.max(1, (heapSize + n - 1) / n)
        self.base = base
        self.heapSize = heapSize
        self.cellBytes = cellBytes
        let count = heapSize == 0 ? 0 : Int((heapSize + cellBytes - 1) / cellBytes)
        var free = [UInt64](repeating: 0, count: count)
        for b in allocator.freeBlocks() {
            var start = b.address - base
            let end = start + b.size
            while start < end {
                let cell = start / cellBytes
                let cellEnd = Swift.min((cell + 1) * cellBytes, end)
                free[Int(cell)] += cellEnd - start
                start = cellEnd
            }
        }
        allocated = (0 ..< count).map { i in
            let size = Swift.min(cellBytes, heapSize - UInt64(i) * cellBytes)
            return 1 - Double(free[i]) / Double(size)
        }
    }
}

extension HeapPolicy {
    /// A simulator that replays operations up to `op` (the peak of a first run) and then takes the
    /// heap's layout; its result is nil until then.
    /// - Complexity: O(1) beyond the allocator's own tables.
    public func layoutProbe(model: HeapModel, at op: UInt64) -> any BatchSimulator<HeapOp, HeapLayout?> {
        if self == .buddy { return Self.probe(HeapSimulation(allocator: BuddyHeap(model: model), mmap: model.mmap), at: op) }
        return Self.probe(HeapSimulation(allocator: FreeListAllocator(policy: self, model: model), mmap: model.mmap), at: op)
    }

    static func probe<A: HeapAllocator>(_ simulation: HeapSimulation<A>, at op: UInt64) -> Simulator<HeapOp, HeapLayout?> {
        let box = Box(simulation)
        let layout = Box<HeapLayout?>(nil)
        let done = Box<UInt64>(0)
        return Simulator(run: { ops in
            guard done.value < op else { return }
            let n = Int(Swift.min(UInt64(ops.count), op - done.value))
            box.value.run(UnsafeBufferPointer(rebasing: ops[0 ..< n]))
            done.value += UInt64(n)
            if done.value == op { layout.value = HeapLayout(box.value.allocator, op: op) }
        }, result: { layout.value ?? (op == 0 ? HeapLayout(box.value.allocator, op: 0) : nil) })
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

extension SimulationRun where Element == HeapOp, Result == HeapLayout? {
    /// Feeds one batch to every layout probe (`HeapPolicy.layoutProbe`).
    /// - Complexity: O(batch.count × probes × cost per operation), until each probe's operation.
    public func feed(_ batch: UnsafeBufferPointer<HeapOp>) { feedUnchecked(batch) }
}
