/// Most recently used.
///
/// Semantics: every reference makes the page the most recently used. On a miss with all frames
/// taken, the most recently used page (the one referenced last, before this miss) is evicted and
/// the new page takes its frame. Good for cyclic sweeps larger than memory, where LRU misses always.
///
/// - Complexity: O(1) per reference; about 32 bytes per frame.
public struct MRUPolicy: ReplacementPolicy {
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
        let s = list.head
        let victim = list.page(s)
        map.remove(victim)
        list.replace(s, with: page)
        map.insert(page, s)
        return .evict(s, victim: victim)
    }
}
