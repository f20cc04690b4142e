/// First in, first out.
///
/// Semantics: a hit changes nothing. On a miss with all frames taken, the page that was brought in
/// earliest (of those resident) is evicted, whatever its use since. Frames fill in slot order and the
/// queue is the ring of slots, so the new page takes the victim's slot and becomes the youngest.
/// FIFO is subject to Belady's anomaly (more frames can give more faults).
///
/// - Complexity: O(1) per reference; 16 bytes of map and 8 bytes of ring per frame.
public struct FIFOPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var ring: ContiguousArray<UInt64>
    @usableFromInline var hand: Int32 = 0

    /// An empty FIFO over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        ring = []
        ring.reserveCapacity(upfrontCapacity(frames))
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
        if ring.count < frames {
            let s = Int32(truncatingIfNeeded: ring.count)
            ring.append(page)
            map.insert(page, s)
            return .fill(s)
        }
        let s = hand
        let victim = ring[Int(s)]
        map.remove(victim)
        ring[Int(s)] = page
        map.insert(page, s)
        hand = s &+ 1 == Int32(truncatingIfNeeded: frames) ? 0 : s &+ 1
        // The victims come in ring order: warm up the probe of one a few evictions ahead.
        map.prefetch(ring[(Int(s) &+ 8) % frames])
        return .evict(s, victim: victim)
    }
}
