/// Most recently used.
///
/// Semantics: every reference makes the page the most recently used. On a miss with all frames
/// taken, the most recently used page (the one referenced last, before this miss) is evicted and
/// the new page takes its frame. Good for cyclic sweeps larger than memory, where LRU misses always.
///
/// - Complexity: O(1) amortized per reference; at most 64 bytes per frame.
public struct MRUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var recency: RecencyLog

    /// An empty MRU over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        recency = RecencyLog(frames: frames)
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { recency.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        recency.reference(page, frames: frames, evictNewest: true)
    }
}
