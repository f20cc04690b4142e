/// Most recently used.
///
/// Semantics: every reference makes the page the most recently used. On a miss with all frames
/// taken, the most recently used page (the one referenced last, before this miss) is evicted and
/// the new page takes its frame. Good for cyclic sweeps larger than memory, where LRU misses always.
///
/// - Complexity: O(1) amortized per reference; at most 64 bytes per frame.
public struct MRUPolicy: ReplacementPolicy {
    public let frames: Int
    @usableFromInline var recency: RecencyLog

    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        recency = RecencyLog(frames: frames)
    }

    @inlinable
    public mutating func prefetch(_ page: UInt64) { recency.prefetch(page) }

    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        recency.reference(page, frames: frames, evictNewest: true)
    }
}
