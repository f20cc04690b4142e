/// Least recently used.
///
/// Semantics: every reference (hit or miss) makes the page the most recently used. On a miss with
/// all frames taken, the page whose last reference is oldest is evicted and the new page takes its
/// frame. LRU is a stack algorithm: the resident set at n frames is contained in the one at n + 1,
/// so its miss count never grows with more frames (`vmsim mrc` exploits this).
///
/// The recency order is a `RecencyLog` (a stamped append-only log) rather than a linked list.
///
/// - Complexity: O(1) amortized per reference; at most 64 bytes per frame.
public struct LRUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var recency: RecencyLog

    /// An empty LRU over `frames` page frames (at least 1).
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
        recency.reference(page, frames: frames, evictNewest: false)
    }
}
