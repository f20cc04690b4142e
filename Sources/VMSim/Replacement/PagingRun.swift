/// The result of one policy at one memory size.
public struct PagingResult: Hashable, Sendable {
    public var policy: PolicySpec
    public var frames: Int
    public var stats: PagingStats

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
///     let run = PagingRun(policies: [PolicySpec(.lru)], frames: [3, 4], seed: 0)
///     run.feed(batch)        // for each batch of the trace
///     run.results            // one PagingResult per pair, policies outer, frames inner
public final class PagingRun: @unchecked Sendable {
    // Unchecked: `feed` is the only mutating entry point and it is not reentrant; within it each
    // simulator is touched by exactly one worker.
    public let simulators: [any PagingSimulator]
    /// How many simulators run at once; 1 runs them one after the other on the calling thread.
    public let parallelism: Int

    /// - Parameters:
    ///   - parallelism: the number of workers; defaults to the number of online processors.
    public init(policies: [PolicySpec], frames: [Int], seed: UInt64, parallelism: Int? = nil) {
        var sims: [any PagingSimulator] = []
        for p in policies {
            for f in frames { sims.append(p.makeSimulator(frames: f, seed: seed)) }
        }
        simulators = sims
        self.parallelism = max(1, parallelism ?? ProcessorCount.online)
    }

    /// Whether any simulator needs each access's next use.
    public var needsNextUse: Bool { simulators.contains { $0.spec.needsNextUse } }

    /// Feeds one batch of references to every simulator.
    /// - Complexity: O(batch.count × simulators), spread over `parallelism` workers.
    public func feed(_ batch: UnsafeBufferPointer<PageAccess>) {
        let sims = simulators
        let shared = SharedBuffer(batch)
        Parallel.forEach(sims.count, parallelism: parallelism) { i in sims[i].run(shared.buffer) }
    }

    /// One result per (policy, frames) pair, in the order the pairs were given.
    public var results: [PagingResult] {
        simulators.map { PagingResult(policy: $0.spec, frames: $0.frames, stats: $0.stats) }
    }
}
