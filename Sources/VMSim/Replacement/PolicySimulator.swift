/// A page-replacement simulation behind a reference, for a `PagingRun`: one policy at one size.
public typealias PolicySimulator = Simulator<PageAccess, PagingResult>

extension Simulator where Element == PageAccess, Result == PagingResult {
    /// The simulator of `policy`, reported as `spec`. The per-reference loop is specialised for
    /// `Policy` here (see `Simulator`).
    ///
    ///     let sim = PolicySimulator(PolicySpec(.lru), LRUPolicy(frames: 64))
    ///
    /// - Complexity: O(1) beyond the policy's own tables.
    /// Misses are sampled over time (`PagingResult.series`, `SeriesSampler`).
    public convenience init<Policy: ReplacementPolicy>(_ spec: PolicySpec, _ policy: Policy) {
        let box = Box(PagingSimulation(policy: policy))
        let sampler = Box(SeriesSampler(unit: "accesses", columns: ["misses"], spacing: 256))
        let frames = policy.frames
        // `PagingRun.feed` has checked the next uses of the batch when the policy needs them.
        self.init(needsNextUse: Policy.needsNextUse, run: { batch in
            sampler.value.feed(batch, run: { box.value.replay($0) }, sample: { [Double(box.value.stats.misses)] })
        }, result: {
            PagingResult(policy: spec, frames: frames, stats: box.value.stats,
                         series: SeriesSampler.isEnabled ? sampler.value.finished { [Double(box.value.stats.misses)] } : nil)
        })
    }
}
