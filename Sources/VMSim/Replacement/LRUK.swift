/// LRU-K with K = 2 (O'Neil, O'Neil & Weikum, SIGMOD 1993), as libCacheSim's `LRUK` implements it.
///
/// Semantics: the victim is the resident page with the largest backward 2-distance, i.e. the oldest
/// second-to-last reference. Pages referenced only once since they were loaded have an infinite
/// distance and go first, in the order they were loaded (FIFO); among pages referenced at least
/// twice, the one whose second-to-last reference is oldest. As in libCacheSim, a page's history is
/// forgotten when it is evicted (no retained-information period) and there is no correlated-
/// reference period.
///
/// - Complexity: O(1) for a hit on a page referenced once and for a miss that evicts one, O(log n)
///   otherwise (`SlotHeap`, keyed by the second-to-last reference); 16 bytes of list, 24 bytes of
///   history and heap, and 16 bytes of map per frame.
public struct LRUKPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    /// Pages referenced once, newest at the head.
    @usableFromInline var once = IndexList()
    /// Each slot's last reference time.
    @usableFromInline var last: ContiguousArray<UInt64> = []
    /// Pages referenced at least twice, keyed by the complement of their second-to-last reference
    /// (so the oldest is the largest).
    @usableFromInline var heap = SlotHeap()
    @usableFromInline var time: UInt64 = 0
    @usableFromInline var used: Int32 = 0

    /// An empty LRU-K over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(log n) in the resident pages (O(1) for a hit on a page referenced once and for a miss that evicts one).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        time &+= 1
        let n = map.find(page)
        if n != .max {
            let i = Int(n)
            let key = ~last[i]
            last[i] = time
            if heap.contains(n) {
                heap.update(n, key: key)
            } else {
                nodes.remove(n, &once)
                heap.insert(n, key: key)
            }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            last.cover(nodes.capacity, with: 0)
        } else if !once.isEmpty {
            let s = nodes.popTail(&once)
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        } else {
            let s = heap.popTop()
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        }
        let s = result.slot
        nodes.setPage(s, page)
        last[Int(s)] = time
        nodes.pushHead(s, &once)
        map.insert(page, s)
        return result
    }
}
