/// A simulation behind a reference, fed one batch at a time, so that a run can hold simulators of
/// different types and drive each with one dynamic call per batch (none per record).
///
/// The engine's simulators are `Simulator` boxes: a page-replacement policy at one size
/// (`PolicySimulator`), a heap allocator (`HeapPolicy.makeSimulator`). A type of the caller's own
/// can conform directly.
public protocol BatchSimulator<Element, Result>: AnyObject, Sendable {
    associatedtype Element
    associatedtype Result
    /// Whether each record must carry what only the future knows (OPT's next uses).
    var needsNextUse: Bool { get }
    /// Replays one batch, in order, after every batch before it.
    func run(_ batch: UnsafeBufferPointer<Element>)
    /// The result so far.
    var result: Result { get }
}

extension BatchSimulator {
    public var needsNextUse: Bool { false }
}

/// The one `BatchSimulator` box: the simulation is created and driven by closures built in a
/// generic initialiser (`PolicySimulator.init(_:_:)`, `HeapPolicy.makeSimulator`), so the compiler
/// specialises the whole per-record loop for the concrete policy or allocator at that call site (a
/// generic class's methods would run unspecialised code behind the protocol).
public final class Simulator<Element, Result>: BatchSimulator, @unchecked Sendable {
    // Unchecked: a simulator is mutated by one thread at a time (SimulationRun hands each simulator
    // to exactly one worker per batch and waits for all of them before the next batch).
    public let needsNextUse: Bool
    private let runBatch: (UnsafeBufferPointer<Element>) -> Void
    private let readResult: () -> Result

    /// A simulator that runs batches with `run` and reports `result`.
    /// - Complexity: O(1).
    public init(needsNextUse: Bool = false, run: @escaping (UnsafeBufferPointer<Element>) -> Void,
                result: @escaping () -> Result) {
        self.needsNextUse = needsNextUse
        runBatch = run
        readResult = result
    }

    public func run(_ batch: UnsafeBufferPointer<Element>) { runBatch(batch) }
    public var result: Result { readResult() }
}

/// Holds a value so the closures of a `Simulator` can mutate it in place.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs several simulators over one stream of records: the trace is read once and each batch goes
/// to every simulator, in parallel across cores when there are several. Each simulator sees the
/// batches in trace order, so the results equal those of separate sequential runs. `PagingRun` and
/// `HeapRun` are this harness for page references and heap operations.
public final class SimulationRun<Element, Result>: @unchecked Sendable {
    // Unchecked: feeding is the only mutating entry point and it is not reentrant; within it each
    // simulator is touched by exactly one worker.
    public let simulators: [any BatchSimulator<Element, Result>]
    /// How many simulators run at once; 1 runs them one after the other on the calling thread.
    public let parallelism: Int
    /// Records fed so far.
    public private(set) var fed: UInt64 = 0

    /// Simulators made anywhere (the engine's or the caller's own), fed side by side.
    /// - Parameters:
    ///   - simulators: the simulators, each fed every batch; results come in this order.
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    /// - Complexity: O(1).
    public init(simulators: [any BatchSimulator<Element, Result>], parallelism: Int? = nil) {
        self.simulators = simulators
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Feeds one batch to every simulator, without the checks a front door makes (`PagingRun.feed`
    /// checks next uses first).
    /// - Complexity: O(batch.count × simulators × cost per record), over `parallelism` workers.
    func feedUnchecked(_ batch: UnsafeBufferPointer<Element>) {
        fed += UInt64(batch.count)
        let sims = simulators
        let shared = SharedBuffer(batch)
        Parallel.forEach(sims.count, parallelism: parallelism) { i in sims[i].run(shared.buffer) }
    }

    /// One result per simulator, in the order given.
    /// - Complexity: O(simulators) plus what each result costs.
    public var results: [Result] { simulators.map { $0.result } }
}
