/// One point of a miss-ratio curve.
public struct MRCPoint: Hashable, Sendable {
    /// The memory size, in page frames.
    public var frames: Int
    /// Misses at this size (estimated, rounded, when the curve is sampled).
    public var misses: UInt64
    /// misses / references at this size.
    public var missRatio: Double

    /// A point of `misses` at `frames` frames.
    public init(frames: Int, misses: UInt64, missRatio: Double) {
        self.frames = frames
        self.misses = misses
        self.missRatio = missRatio
    }
}

/// How a miss-ratio curve was computed.
public enum MRCMethod: Hashable, Sendable {
    /// LRU stack distances of every reference, one pass (exact).
    case stackDistance
    /// LRU stack distances of a SHARDS sample (estimate).
    case shards(SHARDS.Mode)
    /// One simulation per size, in parallel (exact, any policy).
    case simulation
}

/// The sampling a SHARDS curve used.
public struct MRCSampling: Hashable, Sendable {
    /// Fixed rate or fixed size.
    public var mode: SHARDS.Mode
    /// The rate in force at the end (the starting rate, for fixed-rate sampling).
    public var finalRate: Double
    /// References that fell in the sample.
    public var sampledReferences: UInt64
    /// Distinct pages tracked at the end.
    public var sampledPages: Int
    /// Distinct pages of the trace, estimated as sampled pages / rate.
    public var estimatedDistinctPages: Int

    /// The sampling of a finished SHARDS run.
    public init(mode: SHARDS.Mode, finalRate: Double, sampledReferences: UInt64, sampledPages: Int, estimatedDistinctPages: Int) {
        self.mode = mode
        self.finalRate = finalRate
        self.sampledReferences = sampledReferences
        self.sampledPages = sampledPages
        self.estimatedDistinctPages = estimatedDistinctPages
    }
}

/// References whose stack distance `d` lies in `lower...upper` (power-of-two buckets: 1, 2–3, 4–7, ...).
public struct DistanceBucket: Hashable, Sendable {
    /// The smallest distance in the bucket.
    public var lower: Int
    /// The largest distance in the bucket.
    public var upper: Int
    /// References at a distance in `lower...upper`.
    public var references: UInt64

    /// A bucket of `references` at distances `lower...upper`.
    public init(lower: Int, upper: Int, references: UInt64) {
        self.lower = lower
        self.upper = upper
        self.references = references
    }

    /// Power-of-two buckets of `histogram` (index = distance; index 0 ignored), up to the largest
    /// non-empty one.
    /// - Complexity: O(n) in the length of `histogram`.
    public static func buckets(_ histogram: ContiguousArray<UInt64>) -> [DistanceBucket] {
        buckets(histogram.enumerated().lazy.filter { $0.offset > 0 && $0.element > 0 }.map { ($0.offset, Double($0.element)) })
    }

    /// Power-of-two buckets of `(distance, references)` pairs in increasing distance, up to the
    /// largest one.
    /// - Complexity: O(n + log d) for n entries and largest distance d.
    public static func buckets(_ entries: some Sequence<(Int, Double)>) -> [DistanceBucket] {
        var result: [DistanceBucket] = []
        for (d, count) in entries where d > 0 {
            while result.isEmpty || d > result[result.count - 1].upper {
                let lower = result.isEmpty ? 1 : result[result.count - 1].upper + 1
                result.append(DistanceBucket(lower: lower, upper: lower * 2 - 1, references: 0))
            }
            result[result.count - 1].references += UInt64(max(0, count).rounded())
        }
        return result
    }
}

/// Denning's working-set size over the trace (`WorkingSet`).
public struct WorkingSetSummary: Hashable, Sendable {
    /// W(t, τ) at one reference t.
    public struct Sample: Hashable, Sendable {
        /// The reference index t.
        public var time: UInt64
        /// W(t, τ): the distinct pages among the last τ references.
        public var pages: Int
        /// The sample W(`time`, τ) = `pages`.
        public init(time: UInt64, pages: Int) { self.time = time; self.pages = pages }
    }
    /// τ, in references.
    public var window: Int
    /// The mean and the largest W(t, τ) over every reference t.
    public var mean: Double
    /// The largest W(t, τ).
    public var maximum: Int
    /// W(t, τ) at t = τ, 2τ, ... and at the last reference.
    public var samples: [Sample]

    /// A summary of W(t, τ) for window `window`.
    public init(window: Int, mean: Double, maximum: Int, samples: [Sample]) {
        self.window = window
        self.mean = mean
        self.maximum = maximum
        self.samples = samples
    }
}

/// The outcome of `vmsim mrc`.
public struct MRCReport: Hashable, Sendable {
    /// The trace the curve was computed from.
    public var trace: TraceSummary
    /// The policy whose curve this is.
    public var policy: PolicySpec
    /// How the curve was computed.
    public var method: MRCMethod
    /// The sampling, for SHARDS curves.
    public var sampling: MRCSampling?
    /// The curve, in increasing memory size.
    public var points: [MRCPoint]
    /// The stack-distance (reuse-distance) histogram in power-of-two buckets, for LRU curves
    /// (estimated from the sample for SHARDS), and the first references (infinite distance).
    public var distances: [DistanceBucket]?
    /// First references (compulsory misses at every size), for LRU curves.
    public var coldMisses: UInt64?
    /// Denning's working-set size, when a window was asked for.
    public var workingSet: WorkingSetSummary?

    /// A report of a finished curve.
    public init(trace: TraceSummary, policy: PolicySpec, method: MRCMethod, sampling: MRCSampling? = nil,
                points: [MRCPoint], distances: [DistanceBucket]? = nil, coldMisses: UInt64? = nil,
                workingSet: WorkingSetSummary? = nil) {
        self.trace = trace
        self.policy = policy
        self.method = method
        self.sampling = sampling
        self.points = points
        self.distances = distances
        self.coldMisses = coldMisses
        self.workingSet = workingSet
    }
}
