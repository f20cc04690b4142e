/// What miss-ratio curve to compute: the policy, the sizes, SHARDS sampling, the working-set window.
///
///     let request = try MRCRequest(policy: PolicySpec(.arc), sizes: [16, 64, 256])
///
/// The initialiser checks that the pieces fit together (a policy other than LRU is not a stack
/// algorithm, so it needs explicit sizes and cannot be sampled), so a request that exists can run.
public struct MRCRequest: Hashable, Sendable {
    public private(set) var policy: PolicySpec
    /// Sizes to report, ascending; `nil` means every size from 1 to `maxFrames` (or the distinct pages).
    public private(set) var sizes: [Int]?
    /// The largest size of an LRU curve that lists no sizes.
    public private(set) var maxFrames: Int?
    public private(set) var sampling: SHARDS.Mode?
    /// τ for the working-set size, when wanted.
    public private(set) var window: Int?
    /// Seeds randomised policies.
    public var seed: UInt64
    /// Workers for the simulated sizes; `nil` is one per online processor.
    public var parallelism: Int?

    /// - Throws: `SpecError` when a size is out of range, a non-LRU policy has no sizes, or is sampled.
    /// - Complexity: O(sizes log sizes).
    public init(policy: PolicySpec = PolicySpec(.lru), sizes: [Int]? = nil, maxFrames: Int? = nil,
                sampling: SHARDS.Mode? = nil, window: Int? = nil, seed: UInt64 = 0, parallelism: Int? = nil) throws(SpecError) {
        for size in sizes ?? [] { try FrameCount.validate(size) }
        if let maxFrames { try FrameCount.validate(maxFrames) }
        if policy.kind != .lru {
            guard sizes != nil else {
                throw SpecError("\(policy) is not a stack algorithm, so its curve needs the sizes to simulate (e.g. 16,64,256)")
            }
            guard maxFrames == nil else {
                throw SpecError("a largest size bounds an LRU curve; for \(policy) list the sizes to simulate")
            }
            guard sampling == nil else {
                throw SpecError("SHARDS samples LRU stack distances; it cannot estimate a curve of \(policy)")
            }
        }
        if let window, window < 1 { throw SpecError("a working-set window is at least 1 reference (got \(window))") }
        self.policy = policy
        self.sizes = sizes.map { Array(Set($0)).sorted() }
        self.maxFrames = maxFrames
        self.sampling = sampling
        self.window = window
        self.seed = seed
        self.parallelism = parallelism
    }

    /// Whether the curve is simulated size by size (any policy but LRU).
    public var simulates: Bool { policy.kind != .lru }

    /// Sizes above this are simulated only after a pass that counts the distinct pages, so a huge
    /// size never allocates a huge simulator.
    public static let largeSize = 1 << 16

    /// Whether the curve needs each access's next use (OPT's oracle) before the main pass.
    public var needsNextUse: Bool { simulates && policy.needsNextUse }

    /// Whether the curve needs the trace's distinct pages before the main pass: simulated sizes at
    /// or above them take only the compulsory misses and are not simulated.
    /// - Complexity: O(sizes).
    public var needsDistinctPages: Bool {
        simulates && (policy.needsNextUse || (sizes ?? []).contains { $0 > Self.largeSize })
    }
}

/// Computes a miss-ratio curve from batches of page references (`vmsim mrc`).
///
/// - LRU without sampling: exact stack distances (`StackDistances`), every size at once.
/// - LRU with SHARDS sampling: the sampled stack distances (`SHARDS`), scaled; by default a point
///   every `1 / R` frames (the resolution of a sample at rate R).
/// - Any other policy: one simulation per requested size, all fed from the same pass and run in
///   parallel (`PagingRun`); sizes at or above the number of distinct pages take only the compulsory
///   misses and are not simulated (every policy fills free frames before it evicts).
///
///     let run = try MRCRun(try MRCRequest())
///     try run.feed(batch)                                  // every batch of the trace
///     let report = try run.report(trace: "t", format: "plain", pageSize: nil)
public final class MRCRun: @unchecked Sendable {
    // Unchecked: `feed` is the only mutating entry point and is not reentrant (as `PagingRun`).
    /// What the curve is of: policy, sizes, sampling, window.
    public let request: MRCRequest
    private var exact: StackDistances?
    private var shards: SHARDS?
    private var workingSet: WorkingSet?
    private var simulatedSizes: [Int] = []
    private var run: PagingRun?
    private var distinctCounter: PageMap<UInt8>?
    private let knownDistinct: Int?
    private var accesses: UInt64 = 0
    private var writes: UInt64 = 0
    private var finished = false

    /// - Parameter distinctPages: the trace's distinct pages, when a pre-pass counted them (required
    ///   when `request.needsDistinctPages`).
    /// - Throws: `SpecError` when the request needs the distinct pages and none are given.
    /// - Parameter request: the policy, sizes, sampling and window of the curve.
    /// - Complexity: O(sizes × min(size, 2^16)) to allocate the simulators of a size sweep, O(1) otherwise.
    public init(_ request: MRCRequest, distinctPages: Int? = nil) throws(SpecError) {
        if request.needsDistinctPages && distinctPages == nil {
            throw SpecError("a curve of \(request.policy) at these sizes needs the trace's distinct pages before the main pass")
        }
        self.request = request
        knownDistinct = distinctPages
        if request.simulates {
            simulatedSizes = (request.sizes ?? []).filter { distinctPages == nil || $0 < distinctPages! }
            run = try PagingRun(policies: [request.policy], frames: simulatedSizes, seed: request.seed,
                                parallelism: request.parallelism)
            if distinctPages == nil { distinctCounter = PageMap(expectedCount: 1 << 12) }
        } else if let mode = request.sampling {
            shards = SHARDS(mode)
        } else {
            exact = StackDistances()
        }
        workingSet = request.window.map { WorkingSet(window: $0) }
    }

    /// Whether the batches must carry each access's next use.
    public var needsNextUse: Bool { request.needsNextUse }

    /// Feeds the next batch of the trace (with next uses filled, when `needsNextUse`).
    /// - Complexity: O(batch log distinct) for an exact curve, O(batch) plus the sampled part for
    ///   SHARDS, O(batch × sizes × policy cost / cores) for simulations.
    /// - Throws: `MissingNextUse` when OPT is simulated and an access carries no next use.
    public func feed(_ batch: UnsafeBufferPointer<PageAccess>) throws(MissingNextUse) {
        if let run, !simulatedSizes.isEmpty { try run.feed(batch) }
        for a in batch where a.kind == .store { writes += 1 }
        exact?.record(batch)
        shards?.record(batch)
        workingSet?.record(batch)
        if distinctCounter != nil {
            for a in batch where distinctCounter!.find(a.page) == .max { distinctCounter!.insert(a.page, 0) }
        }
        accesses += UInt64(batch.count)
    }

    /// References fed so far.
    public var references: UInt64 { accesses }

    /// The curve of everything fed, described as the trace `trace` in `format`.
    /// - Throws: `SpecError` when nothing was fed.
    /// - Complexity: O(largest size) for an exact curve, O(sizes) otherwise.
    public func report(trace: String, format: String, pageSize: PageSize?) throws(SpecError) -> MRCReport {
        guard accesses > 0 else { throw SpecError("the trace holds no memory references") }
        if !finished { workingSet?.finish(); finished = true }
        let total = accesses
        var distinct = knownDistinct ?? distinctCounter?.count ?? exact?.distinctPages
        var points: [MRCPoint] = []
        var method = MRCMethod.simulation
        var sampling: MRCSampling?
        var buckets: [DistanceBucket]?
        var cold: UInt64?
        func point(_ frames: Int, _ misses: UInt64) -> MRCPoint {
            MRCPoint(frames: frames, misses: misses, missRatio: Double(misses) / Double(total))
        }

        if let exact {
            method = .stackDistance
            let n = exact.distinctPages
            let sizes = request.sizes ?? Array(1...max(1, min(request.maxFrames ?? n, n)))
            let top = min(sizes.max() ?? 1, n)
            let curve = exact.misses(upTo: max(1, top))
            points = sizes.map { point($0, $0 <= top ? curve[$0 - 1] : exact.coldMisses) }
            buckets = DistanceBucket.buckets(exact.histogram)
            cold = exact.coldMisses
        } else if let shards {
            method = .shards(shards.mode)
            distinct = nil
            let estimate = max(1, shards.estimatedDistinctPages)
            // A sampled distance stands for about 1 / R pages, so by default the curve has a point
            // every 1 / R frames (every frame at rate 1).
            let step = max(1, Int((1 / shards.rate).rounded()))
            let top = max(1, min(request.maxFrames ?? estimate, estimate))
            var sizes = request.sizes ?? Array(stride(from: step, through: top, by: step))
            if request.sizes == nil && sizes.last != top { sizes.append(top) }
            let ratios = shards.missRatios(at: sizes)
            points = zip(sizes, ratios).map { size, r in
                MRCPoint(frames: size, misses: UInt64((r * Double(total)).rounded()), missRatio: r)
            }
            let scaled = shards.scaledHistogram()
            buckets = DistanceBucket.buckets(scaled.counts.lazy.map { ($0.distance, $0.references) })
            cold = UInt64(scaled.cold.rounded())
            sampling = MRCSampling(mode: shards.mode, finalRate: shards.rate, sampledReferences: shards.sampledReferences,
                                   sampledPages: shards.sampledPages, estimatedDistinctPages: estimate)
        } else if let run {
            let results = Dictionary(uniqueKeysWithValues: run.results.map { ($0.frames, $0.stats.misses) })
            points = (request.sizes ?? []).map { point($0, results[$0] ?? UInt64(distinct ?? 0)) }
        }

        let summary = TraceSummary(name: trace, format: format, pageSize: pageSize,
                                   records: total, writes: writes, distinctPages: distinct)
        let ws = workingSet.map { w in
            WorkingSetSummary(window: Int(w.window), mean: w.mean, maximum: w.maximum,
                              samples: w.samples.map { WorkingSetSummary.Sample(time: $0.time, pages: $0.pages) })
        }
        return MRCReport(trace: summary, policy: request.policy, method: method, sampling: sampling, points: points,
                         distances: buckets, coldMisses: cold, workingSet: ws)
    }
}
