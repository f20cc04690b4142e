import VMSim

/// Computes miss-ratio curves from an access trace file in one pass (`vmsim mrc`).
///
/// - LRU without sampling: exact stack distances (`StackDistances`), every size at once.
/// - LRU with SHARDS sampling: the sampled stack distances (`SHARDS`), scaled; by default a point
///   every `1 / R` frames (the resolution of a sample at rate R).
/// - Any other policy: one simulation per requested size, all fed from the same pass and run in
///   parallel (`PagingRun`); sizes at or above the number of distinct pages take only the compulsory
///   misses and are not simulated (every policy fills free frames before it evicts).
public enum MRCReplay {
    public struct Request: Sendable {
        public var policy: PolicySpec
        /// Sizes to report; `nil` means every size from 1 to `maxFrames` (or the distinct pages).
        public var sizes: [Int]?
        public var maxFrames: Int?
        public var sampling: SHARDS.Mode?
        /// τ for the working-set size, when wanted.
        public var window: Int?
        public var seed: UInt64
        public var parallelism: Int?

        public init(policy: PolicySpec = PolicySpec(.lru), sizes: [Int]? = nil, maxFrames: Int? = nil,
                    sampling: SHARDS.Mode? = nil, window: Int? = nil, seed: UInt64 = 0, parallelism: Int? = nil) {
            self.policy = policy
            self.sizes = sizes
            self.maxFrames = maxFrames
            self.sampling = sampling
            self.window = window
            self.seed = seed
            self.parallelism = parallelism
        }
    }

    /// Sizes above this are simulated only after a pass that counts the distinct pages, so a huge
    /// size never allocates a huge simulator.
    static let largeSize = 1 << 16

    /// Runs `request` over the trace at `path` (`-` for standard input).
    /// - Complexity: O(accesses × log distinct) for the exact curve, O(accesses) plus the sampled
    ///   part for SHARDS, O(accesses × sizes × policy cost / cores) for simulations.
    public static func run(path: String, options: AccessTraceOptions, request: Request) throws(TraceError) -> MRCReport {
        let displayName = path == "-" ? "<stdin>" : path
        let simulate = request.policy.kind != .lru
        precondition(!simulate || request.sizes != nil, "a non-LRU curve needs explicit sizes")
        precondition(!simulate || request.sampling == nil, "SHARDS samples LRU stack distances only")
        var options = options
        options.validateNextUse = simulate && request.policy.needsNextUse

        var spool: TemporaryFile?
        defer { spool?.remove() }
        var readPath = path
        let needsPrePass = simulate && (request.policy.needsNextUse || (request.sizes ?? []).contains { $0 > largeSize })
        if needsPrePass && path == "-" {
            let file = try TemporaryFile.spool(ByteStream.standardInput())
            spool = file
            readPath = file.path
        }
        var reader = try AccessTrace.open(readPath, options: options, displayName: displayName)
        var format = reader.format

        // Distinct pages first, when huge sizes must be capped or OPT needs its oracle.
        var oracle: NextUseSpool?
        var knownDistinct: Int?
        if needsPrePass {
            if request.policy.needsNextUse && !reader.carriesNextUse {
                oracle = try NextUseSpool(reader, name: displayName)
                knownDistinct = oracle?.distinctPages
            } else {
                var seen = PageMap<UInt8>(expectedCount: 1 << 12)
                while true {
                    let batch = try reader.nextBatch()
                    if batch.isEmpty { break }
                    for a in batch where seen.find(a.page) == .max { seen.insert(a.page, 0) }
                }
                knownDistinct = seen.count
            }
            options.format = format
            reader = try AccessTrace.open(readPath, options: options, displayName: displayName)
            format = reader.format
        }

        var exact: StackDistances? = simulate || request.sampling != nil ? nil : StackDistances()
        var shards: SHARDS? = request.sampling.map { SHARDS($0) }
        var workingSet: WorkingSet? = request.window.map { WorkingSet(window: $0) }
        var simulatedSizes: [Int] = []
        var run: PagingRun?
        var distinctCounter: PageMap<UInt8>?
        if simulate {
            let sizes = request.sizes ?? []
            simulatedSizes = sizes.filter { knownDistinct == nil || $0 < knownDistinct! }
            run = PagingRun(policies: [request.policy], frames: simulatedSizes, seed: request.seed,
                            parallelism: request.parallelism)
            if knownDistinct == nil { distinctCounter = PageMap(expectedCount: 1 << 12) }
        }

        var accesses = 0
        var writes: UInt64 = 0
        let mayStore = format != .oracleGeneral && format != .plain
        while true {
            let batch = try reader.nextBatch()
            if batch.isEmpty { break }
            try oracle?.annotate(batch)
            let b = UnsafeBufferPointer(batch)
            if mayStore { for a in b where a.kind == .store { writes += 1 } }
            exact?.record(b)
            shards?.record(b)
            workingSet?.record(b)
            if let run {
                if !simulatedSizes.isEmpty { run.feed(b) }
                if distinctCounter != nil {
                    for a in b where distinctCounter!.find(a.page) == .max { distinctCounter!.insert(a.page, 0) }
                }
            }
            accesses += batch.count
        }
        guard accesses > 0 else {
            throw TraceError(file: displayName, message: "the trace holds no memory references")
        }
        workingSet?.finish()
        let total = UInt64(accesses)
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

        let summary = TraceSummary(name: displayName, format: format.rawValue,
                                   pageSize: format.carriesByteAddresses ? options.pageSize : nil,
                                   accesses: total, writes: writes, distinctPages: distinct)
        let ws = workingSet.map { w in
            WorkingSetSummary(window: Int(w.window), mean: w.mean, maximum: w.maximum,
                              samples: w.samples.map { WorkingSetSummary.Sample(time: $0.time, pages: $0.pages) })
        }
        return MRCReport(trace: summary, policy: request.policy, method: method, sampling: sampling, points: points,
                         distances: buckets, coldMisses: cold, workingSet: ws)
    }
}
