/// Random replacement.
///
/// Semantics: a hit changes nothing. On a miss with all frames taken, the victim is the page in a
/// frame drawn uniformly from `0..<frames` by the simulation's seeded generator (`SimRandom`, one
/// `below(frames)` draw per eviction, in order), so a seed gives the same run everywhere. Each draw is
/// made one eviction early, so the victim's hash probe can be prefetched; the sequence is the same.
///
/// - Complexity: O(1) per reference; 24 bytes per frame.
public struct RandomPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    @usableFromInline var rng: SimRandom
    /// The victim slot of the next eviction, drawn in advance.
    @usableFromInline var nextVictim: Int32

    /// An empty random policy over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int, seed: UInt64) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        pages = []
        pages.reserveCapacity(upfrontCapacity(frames))
        rng = SimRandom(seed: seed)
        nextVictim = Int32(truncatingIfNeeded: rng.below(UInt64(frames)))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let slot = map.find(page)
        if slot != .max { return .hit(slot) }
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            map.insert(page, s)
            return .fill(s)
        }
        let s = nextVictim
        let victim = pages[Int(s)]
        map.remove(victim)
        pages[Int(s)] = page
        map.insert(page, s)
        nextVictim = Int32(truncatingIfNeeded: rng.below(UInt64(frames)))
        map.prefetch(pages[Int(nextVictim)])
        return .evict(s, victim: victim)
    }
}
