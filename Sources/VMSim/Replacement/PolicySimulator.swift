/// A paging simulation behind a reference type, so a run can hold many different policies and feed
/// each one batch at a time (one dynamic call per batch, none per access).
public protocol PagingSimulator: AnyObject, Sendable {
    /// The policy and its parameter, as results report it.
    var spec: PolicySpec { get }
    /// The memory size, in page frames.
    var frames: Int { get }
    /// The counts so far.
    var stats: PagingStats { get }
    /// Replays one batch. `PagingRun` calls it only with batches whose next uses are known when
    /// `spec.needsNextUse`.
    func run(_ batch: UnsafeBufferPointer<PageAccess>)
}

/// The `PagingSimulator` for any policy: the simulation is created and driven by closures built in
/// a generic initialiser, so the compiler specialises the whole per-reference loop for the concrete
/// policy type at each `makeSimulator` call site (a generic class's methods would run unspecialised
/// code behind the protocol).
public final class PolicySimulator: PagingSimulator, @unchecked Sendable {
    // Unchecked: a simulator is mutated by one thread at a time (PagingRun hands each simulator to
    // exactly one worker per batch and waits for all of them before the next batch).
    /// The policy and its parameter.
    public let spec: PolicySpec
    /// The memory size, in page frames.
    public let frames: Int
    private let runBatch: (UnsafeBufferPointer<PageAccess>) -> Void
    private let readStats: () -> PagingStats

    /// A simulator of `policy`, reported as `spec`; its per-reference loop is specialised for `Policy`.
    /// - Complexity: O(1).
    public init<Policy: ReplacementPolicy>(_ spec: PolicySpec, _ policy: Policy) {
        let box = SimulationBox(PagingSimulation(policy: policy))
        self.spec = spec
        frames = policy.frames
        // `PagingRun.feed` has checked the next uses of the batch when the policy needs them.
        runBatch = { box.simulation.replay($0) }
        readStats = { box.simulation.stats }
    }

    /// The counts so far.
    /// - Complexity: O(1).
    public var stats: PagingStats { readStats() }

    /// Replays `batch`, whose next uses the caller has checked when the policy needs them (`PagingRun.feed` does).
    /// - Complexity: O(batch.count) times the policy's per-reference cost.
    public func run(_ batch: UnsafeBufferPointer<PageAccess>) { runBatch(batch) }
}

/// Holds a simulation so the closures of a `PolicySimulator` can mutate it in place.
final class SimulationBox<Policy: ReplacementPolicy> {
    var simulation: PagingSimulation<Policy>
    init(_ simulation: PagingSimulation<Policy>) { self.simulation = simulation }
}
