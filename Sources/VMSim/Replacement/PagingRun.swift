/// The result of one policy at one memory size.
public struct PagingResult: Hashable, Sendable {
    public var policy: PolicySpec
    public var frames: Int
    public var stats: PagingStats
    /// Misses over time, at most 1,000 evenly spaced points, the last at the end.
    public var series: Series?

    public init(policy: PolicySpec, frames: Int, stats: PagingStats, series: Series? = nil) {
        self.series = series
        self.policy = policy
        self.frames = frames
        self.stats = stats
    }
}

/// Runs every (policy, frames) pair over one stream of page references (`SimulationRun`): the
/// trace is read once and each batch goes to every simulator, in parallel across cores.
///
///     let run = try PagingRun(policies: [PolicySpec(.lru), PolicySpec(.opt)], frames: [3, 4])
///     let results = run.run(pages: [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1])
///     // or, batch by batch from a reader: try run.feed(batch), then run.results
///
/// A policy written outside the package runs here too: register it (`PolicyRegistry`) and name it
/// in a `PolicySpec`, or hand its simulator to `init(simulators:parallelism:)`.
public typealias PagingRun = SimulationRun<PageAccess, PagingResult>

extension SimulationRun where Element == PageAccess, Result == PagingResult {
    /// Every policy at every size, policies outer, frames inner.
    /// - Parameters:
    ///   - policies: the policies to run, built-in or registered.
    ///   - frames: the memory sizes, in page frames, each at least 1.
    ///   - seed: feeds the randomised policies (random, nru).
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    /// - Throws: `SpecError` when a size is outside 1...`FrameCount.limit`.
    /// - Complexity: O(pairs × min(frames, 2^16)) to allocate the policies' tables.
    public convenience init(policies: [PolicySpec], frames: [Int], seed: UInt64 = 0, parallelism: Int? = nil) throws(SpecError) {
        for f in frames { try FrameCount.validate(f) }
        var sims: [any BatchSimulator<PageAccess, PagingResult>] = []
        for p in policies {
            for f in frames { sims.append(p.makeSimulator(frames: f, seed: seed)) }
        }
        self.init(simulators: sims, parallelism: parallelism)
    }

    /// Whether any simulator needs each access's next use.
    public var needsNextUse: Bool { simulators.contains { $0.needsNextUse } }

    /// Feeds one batch of references to every simulator. When a simulator needs the future (OPT),
    /// each access must carry its `nextUse`, counted from the first access of the run.
    /// - Throws: `MissingNextUse` when one is needed and missing; then nothing is fed.
    /// - Complexity: O(batch.count × simulators), spread over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<PageAccess>) throws(MissingNextUse) {
        if let clairvoyant = simulators.first(where: { $0.needsNextUse }) {
            try MissingNextUse.check(batch, policy: clairvoyant.result.policy.description, start: fed)
        }
        feedUnchecked(batch)
    }

    /// Replays an array of references (next uses computed when a policy needs them) and returns
    /// the results.
    /// - Complexity: O(accesses × simulators / parallelism) times the policies' cost.
    public func run(_ accesses: [PageAccess]) -> [PagingResult] {
        var accesses = accesses
        if needsNextUse && accesses.contains(where: { $0.nextUse == PageAccess.unknown }) {
            NextUseIndex.annotate(&accesses, startingAt: Int(fed))
        }
        // Every next use is known now, so the check `feed` makes has nothing to find.
        accesses.withUnsafeBufferPointer { feedUnchecked($0) }
        return results
    }

    /// Replays an array of page numbers (all loads); see `run(_:)`.
    /// - Complexity: as `run(_:)`.
    public func run(pages: [UInt64]) -> [PagingResult] {
        run(pages.map { PageAccess(page: $0) })
    }
}
