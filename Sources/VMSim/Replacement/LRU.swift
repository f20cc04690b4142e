/// Least recently used.
///
/// Semantics: every reference (hit or miss) makes the page the most recently used. On a miss with
/// all frames taken, the page whose last reference is oldest is evicted and the new page takes its
/// frame. LRU is a stack algorithm: the resident set at n frames is contained in the one at n + 1,
/// so its miss count never grows with more frames (`vmsim mrc` exploits this).
///
/// - Complexity: O(1) per reference (hash lookup plus list splice); about 32 bytes per frame.
public struct LRUPolicy: ReplacementPolicy {
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var list: RecencyList

    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: frames)
        list = RecencyList(capacity: frames)
    }

    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let slot = map.find(page)
        if slot != .max {
            list.moveToHead(slot)
            return .hit(slot)
        }
        if list.count < frames {
            let s = list.pushNew(page)
            map.insert(page, s)
            return .fill(s)
        }
        let s = list.tail
        let victim = list.page(s)
        map.remove(victim)
        list.replace(s, with: page)
        map.insert(page, s)
        return .evict(s, victim: victim)
    }
}
