/// SHARDS, spatially hashed approximate reuse-distance sampling (Waldspurger, Park, Garthwaite &
/// Ahmad, FAST 2015), for LRU miss-ratio curves of traces too large for the exact pass.
///
/// A reference is sampled when `hash(page) mod P < T` (`P = 2^24`, a 64-bit SplitMix finalizer as
/// the hash), so every reference to a sampled page is seen and the sampled pages' stack distances
/// are exact among themselves; a distance `d` measured at sampling rate `R = T / P` stands for
/// `1 + (d − 1) / R` pages (the `d − 1` sampled pages in between stand for `(d − 1) / R` pages; the
/// paper scales `d` by `1 / R`, which is the same up to one bucket but overstates the smallest
/// distances). Two modes:
/// - fixed rate (`shards:R`): `T = round(R × P)` for the whole trace; at the end the histogram's
///   first bucket is corrected by the difference between the expected sample count `N × R` and the
///   actual one (the paper's SHARDS-adj);
/// - fixed size (`shards-fixed:S`): at most `S` distinct pages are tracked; when a new page would
///   exceed that, the page with the largest hash is dropped (or the new page is not admitted when its
///   hash is the largest), `T` is lowered to that hash, and the counts collected so far are scaled by
///   `R_new / R_old` so all counts are in units of the current rate.
///
/// At rate 1 (`T = P`) every reference is sampled and the curve equals the exact one.
///
/// - Complexity: O(1) per reference not sampled, O(log S) per sampled reference (S sampled distinct
///   pages); memory O(S + largest scaled distance).
public struct SHARDS: Sendable {
    /// How the sample is chosen.
    public enum Mode: Hashable, Sendable {
        case fixedRate(Double)
        case fixedSize(Int)
    }

    /// P, the hash range: a page is sampled when its hash is below the threshold T (rate T/P).
    public static let modulus: UInt64 = 1 << 24

    /// Fixed rate or fixed size.
    public let mode: Mode
    @usableFromInline var threshold: UInt64
    @usableFromInline var distances = StackDistances()
    /// Weighted counts, true weight = stored × `scale`: by sampled distance at a fixed rate (scaled
    /// at the end), by scaled distance at a fixed size (the rate changes along the way).
    @usableFromInline var weighted: ContiguousArray<Double> = [0]
    @usableFromInline var coldWeight: Double = 0
    @usableFromInline var scale: Double = 1
    @usableFromInline var total: UInt64 = 0
    @usableFromInline var sampled: UInt64 = 0
    /// Fixed size: a max-heap of (hash, page) of the tracked pages.
    @usableFromInline var heap: ContiguousArray<(hash: UInt64, page: UInt64)> = []

    /// An empty sampler.
    /// - Complexity: O(1).
    public init(_ mode: Mode) {
        self.mode = mode
        switch mode {
        case .fixedRate(let rate):
            precondition(rate > 0 && rate <= 1, "a sampling rate is in (0, 1]")
            threshold = max(1, UInt64((rate * Double(Self.modulus)).rounded()))
        case .fixedSize(let size):
            precondition(size > 0)
            threshold = Self.modulus
        }
    }

    /// The sampling rate in force (it only falls, in fixed-size mode).
    public var rate: Double { Double(threshold) / Double(Self.modulus) }
    /// References seen and sampled, and distinct pages tracked.
    public var references: UInt64 { total }
    /// References that fell in the sample.
    public var sampledReferences: UInt64 { sampled }
    /// Distinct sampled pages tracked.
    public var sampledPages: Int { distances.distinctPages }

    @inlinable @inline(__always)
    static func hash(_ page: UInt64) -> UInt64 {
        var z = page &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) & (modulus - 1)
    }

    /// Records a batch of references.
    /// - Complexity: O(batch.count) plus O(log S) per sampled reference.
    @inlinable
    public mutating func record(_ batch: UnsafeBufferPointer<PageAccess>) {
        total &+= UInt64(batch.count)
        let t = threshold
        for a in batch where Self.hash(a.page) < t {
            sample(a.page)
        }
    }

    @usableFromInline
    mutating func sample(_ page: UInt64) {
        let h = Self.hash(page)
        guard h < threshold else { return }   // the threshold may have fallen within the batch
        if case .fixedSize(let size) = mode, distances.map.find(page) == .max {
            if distances.distinctPages >= size {
                if h > heap[0].hash {
                    lower(to: h)
                    return
                }
                let dropped = popMax()
                distances.remove(dropped.page)
                lower(to: dropped.hash)
            }
            pushHeap((h, page))
        }
        sampled &+= 1
        let d = distances.distance(of: page)
        let w = 1 / scale
        if d == 0 {
            coldWeight += w
        } else {
            var scaled = d
            if case .fixedSize = mode { scaled = 1 + Int((Double(d - 1) / rate).rounded()) }
            if scaled >= weighted.count {
                weighted.append(contentsOf: repeatElement(0, count: max(scaled + 1 - weighted.count, weighted.count)))
            }
            weighted[scaled] += w
        }
    }

    @usableFromInline
    mutating func lower(to newThreshold: UInt64) {
        scale *= Double(newThreshold) / Double(threshold)
        threshold = newThreshold
    }

    @usableFromInline
    mutating func pushHeap(_ e: (hash: UInt64, page: UInt64)) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].hash >= heap[i].hash { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    @usableFromInline
    mutating func popMax() -> (hash: UInt64, page: UInt64) {
        let top = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                var c = 2 * i + 1
                if c >= heap.count { break }
                if c + 1 < heap.count && heap[c + 1].hash > heap[c].hash { c += 1 }
                if heap[i].hash >= heap[c].hash { break }
                heap.swapAt(i, c)
                i = c
            }
        }
        return top
    }

    /// Estimated distinct pages of the trace: sampled pages / rate.
    public var estimatedDistinctPages: Int { Int((Double(sampledPages) / rate).rounded()) }

    /// The scaled histogram as `(distance, estimated references)` pairs in increasing distance,
    /// before the SHARDS-adj correction, and the weight of first references.
    func scaledEntries() -> (entries: [(distance: Int, weight: Double)], cold: Double) {
        var entries: [(distance: Int, weight: Double)] = []
        for (d, w) in weighted.enumerated() where d > 0 && w != 0 {
            let distance: Int
            switch mode {
            case .fixedRate: distance = 1 + Int((Double(d - 1) / rate).rounded())
            case .fixedSize: distance = d
            }
            entries.append((distance, w * scale))
        }
        return (entries, coldWeight * scale)
    }

    /// Estimated LRU miss ratios at each of `sizes` (in increasing order).
    /// - Complexity: O(sizes + sampled distances).
    public func missRatios(at sizes: [Int]) -> [Double] {
        var (entries, cold) = scaledEntries()
        if case .fixedRate = mode, !entries.isEmpty || sampled > 0 {
            // SHARDS-adj: the expected number of samples minus the actual one, in the first bucket.
            let adjustment = Double(total) * rate - Double(sampled)
            if let first = entries.first, first.distance == 1 { entries[0].weight += adjustment } else { entries.insert((1, adjustment), at: 0) }
        }
        let all = cold + entries.reduce(0) { $0 + $1.weight }
        guard all > 0 else { return sizes.map { _ in 0 } }
        // Walk the sizes from the largest down, adding the entries above each.
        var result = [Double](repeating: 0, count: sizes.count)
        var above = 0.0
        var e = entries.count - 1
        for k in sizes.indices.reversed() {
            while e >= 0 && entries[e].distance > sizes[k] { above += entries[e].weight; e -= 1 }
            result[k] = min(1, max(0, (cold + above) / all))
        }
        return result
    }

    /// Estimated LRU miss ratios at `1...maxFrames` frames.
    /// - Complexity: O(maxFrames + sampled distances).
    public func missRatios(upTo maxFrames: Int) -> [Double] { missRatios(at: Array(1...max(1, maxFrames))) }

    /// The sampled stack-distance histogram scaled to the whole trace: estimated references at each
    /// scaled distance, and estimated first references.
    /// - Complexity: O(sampled distances).
    public func scaledHistogram() -> (counts: [(distance: Int, references: Double)], cold: Double) {
        let (entries, cold) = scaledEntries()
        let sum = cold + entries.reduce(0) { $0 + $1.weight }
        let factor = sum > 0 ? Double(total) / sum : 0
        return (entries.map { ($0.distance, $0.weight * factor) }, cold * factor)
    }
}

extension SHARDS.Mode {
    /// Parses `shards:RATE` (0 < RATE ≤ 1) or `shards-fixed:SIZE` (SIZE > 0 pages tracked),
    /// case-insensitive.
    ///
    ///     try SHARDS.Mode(parsing: "shards:0.01")        // .fixedRate(0.01)
    ///     try SHARDS.Mode(parsing: "shards-fixed:8192")  // .fixedSize(8192)
    ///
    /// - Complexity: O(n) in the length of `text`.
    public init(parsing text: String) throws(SpecError) {
        let parts = text.lowercased().split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw SpecError("sampling '\(text)': use shards:RATE (0 < RATE <= 1) or shards-fixed:SIZE")
        }
        switch parts[0] {
        case "shards":
            guard let rate = Double(parts[1]), rate > 0, rate <= 1 else {
                throw SpecError("sampling shards:\(parts[1]): the sampling rate must be in (0, 1], e.g. shards:0.01")
            }
            self = .fixedRate(rate)
        case "shards-fixed":
            guard let size = Int(parts[1]), size > 0 else {
                throw SpecError("sampling shards-fixed:\(parts[1]): the number of sampled pages must be a positive whole number")
            }
            self = .fixedSize(size)
        default:
            throw SpecError("sampling '\(text)': unknown method '\(parts[0])'; use shards:RATE or shards-fixed:SIZE")
        }
    }
}
