/// Random replacement.
///
/// Semantics: a hit changes nothing. On a miss with all frames taken, the victim is the page in a
/// frame drawn uniformly from `0..<frames` by the simulation's seeded generator (`SimRandom`, one
/// `below(frames)` draw per eviction), so a seed gives the same run everywhere.
///
/// - Complexity: O(1) per reference; 24 bytes per frame.
public struct RandomPolicy: ReplacementPolicy {
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    @usableFromInline var rng: SimRandom

    public init(frames: Int, seed: UInt64) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: frames)
        pages = []
        pages.reserveCapacity(frames)
        rng = SimRandom(seed: seed)
    }

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
        let s = Int32(truncatingIfNeeded: rng.below(UInt64(frames)))
        let victim = pages[Int(s)]
        map.remove(victim)
        pages[Int(s)] = page
        map.insert(page, s)
        return .evict(s, victim: victim)
    }
}
