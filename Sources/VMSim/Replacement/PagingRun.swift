/// The result of one policy at one memory size.
public struct PagingResult: Hashable, Sendable {
    /// The policy that ran.
    public var policy: PolicySpec
    /// The memory size, in page frames.
    public var frames: Int
    /// Its counts.
    public var stats: PagingStats

    /// The result of `policy` at `frames` frames.
    public init(policy: PolicySpec, frames: Int, stats: PagingStats) {
        self.policy = policy
        self.frames = frames
        self.stats = stats
    }
}

/// Runs every (policy, frames) pair over one stream of page references: the trace is read once and
/// each batch goes to every simulator, in parallel across cores when there are several. Each
/// simulator sees the batches in trace order, so the results equal those of separate sequential runs.
///
///     let run = try PagingRun(policies: [PolicySpec(.lru), PolicySpec(.opt)], frames: [3, 4])
///     let results = run.run(pages: [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1])
///     // or, batch by batch from a reader: try run.feed(batch), then run.results
///
/// A policy written outside the package runs here too: register it (`PolicyRegistry`) and name it
/// in a `PolicySpec`, or hand its simulator to `init(simulators:)`.
public final class PagingRun: @unchecked Sendable {
    // Unchecked: `feed` is the only mutating entry point and it is not reentrant; within it each
    // simulator is touched by exactly one worker.
    /// The simulators, one per (policy, frames) pair, in the order given.
    public let simulators: [any PagingSimulator]
    /// How many simulators run at once; 1 runs them one after the other on the calling thread.
    public let parallelism: Int
    private var fed: UInt64 = 0

    /// Every policy at every size, policies outer, frames inner.
    /// - Parameters:
    ///   - policies: the policies, each simulated at every size.
    ///   - frames: the memory sizes, in page frames.
    ///   - seed: feeds the randomised policies (random, nru).
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    /// - Throws: `SpecError` when a size is outside 1...`FrameCount.limit`.
    /// - Complexity: O(pairs × min(frames, 2^16)) to allocate the policies' tables.
    public init(policies: [PolicySpec], frames: [Int], seed: UInt64 = 0, parallelism: Int? = nil) throws(SpecError) {
        for f in frames { try FrameCount.validate(f) }
        var sims: [any PagingSimulator] = []
        for p in policies {
            for f in frames { sims.append(p.makeSimulator(frames: f, seed: seed)) }
        }
        simulators = sims
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Simulators made elsewhere (any type conforming to `PagingSimulator`), fed side by side.
    /// - Complexity: O(1).
    public init(simulators: [any PagingSimulator], parallelism: Int? = nil) {
        self.simulators = simulators
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Whether any simulator needs each access's next use.
    /// - Complexity: O(simulators).
    public var needsNextUse: Bool { simulators.contains { $0.spec.needsNextUse } }

    /// Feeds one batch of references to every simulator. When a simulator needs the future (OPT),
    /// each access must carry its `nextUse`, counted from the first access of the run.
    /// - Throws: `MissingNextUse` when one is needed and missing; then nothing is fed.
    /// - Complexity: O(batch.count × simulators), spread over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<PageAccess>) throws(MissingNextUse) {
        if let clairvoyant = simulators.first(where: { $0.spec.needsNextUse }) {
            try MissingNextUse.check(batch, policy: clairvoyant.spec.description, start: fed)
        }
        fed += UInt64(batch.count)
        let sims = simulators
        let shared = SharedBuffer(batch)
        Parallel.forEach(sims.count, parallelism: parallelism) { i in sims[i].run(shared.buffer) }
    }

    /// Replays an array of references (next uses computed when a policy needs them) and returns
    /// the results.
    /// - Complexity: O(accesses × simulators / parallelism) times the policies' cost.
    public func run(_ accesses: [PageAccess]) -> [PagingResult] {
        var accesses = accesses
        if needsNextUse && accesses.contains(where: { $0.nextUse == PageAccess.unknown }) {
            NextUseIndex.annotate(&accesses, startingAt: Int(fed))
        }
        accesses.withUnsafeBufferPointer { try! feed($0) } // every next use is known now
        return results
    }

    /// Replays an array of page numbers (all loads); see `run(_:)`.
    /// - Complexity: as `run(_:)`.
    public func run(pages: [UInt64]) -> [PagingResult] {
        run(pages.map { PageAccess(page: $0) })
    }

    /// One result per (policy, frames) pair, in the order the pairs were given.
    /// - Complexity: O(simulators).
    public var results: [PagingResult] {
        simulators.map { PagingResult(policy: $0.spec, frames: $0.frames, stats: $0.stats) }
    }
}
