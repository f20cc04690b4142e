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
///   otherwise (an indexed binary min-heap keyed by the second-to-last reference); 16 bytes of list,
///   28 bytes of history and heap, and 16 bytes of map per frame.
public struct LRUKPolicy: ReplacementPolicy {
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    /// Pages referenced once, newest at the head.
    @usableFromInline var once = ListEnds()
    /// Each slot's last reference time, its key (second-to-last reference) and heap position (-1
    /// while on `once`).
    @usableFromInline var last: ContiguousArray<UInt64> = []
    @usableFromInline var key: ContiguousArray<UInt64> = []
    @usableFromInline var position: ContiguousArray<Int32> = []
    @usableFromInline var heap: ContiguousArray<Int32> = []
    @usableFromInline var time: UInt64 = 0
    @usableFromInline var used: Int32 = 0

    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: min(frames, 1 << 20))
        nodes = IndexLinks(count: frames)
    }

    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        time &+= 1
        let n = map.find(page)
        if n != .max {
            let i = Int(n)
            key[i] = last[i]
            last[i] = time
            if position[i] < 0 {
                nodes.remove(n, &once)
                position[i] = Int32(truncatingIfNeeded: heap.count)
                heap.append(n)
                siftUp(heap.count - 1)
            } else {
                siftDown(Int(position[i]))
            }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            last.cover(nodes.capacity, with: 0)
            key.cover(nodes.capacity, with: 0)
            position.cover(nodes.capacity, with: -1)
        } else if !once.isEmpty {
            let s = nodes.popTail(&once)
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        } else {
            let s = heap[0]
            let tail = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = tail
                position[Int(tail)] = 0
                siftDown(0)
            }
            position[Int(s)] = -1
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

    @inlinable
    mutating func siftUp(_ start: Int) {
        var i = start
        let s = heap[i]
        let k = key[Int(s)]
        while i > 0 {
            let parent = (i &- 1) >> 1
            let ps = heap[parent]
            if key[Int(ps)] <= k { break }
            heap[i] = ps
            position[Int(ps)] = Int32(truncatingIfNeeded: i)
            i = parent
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let s = heap[i]
        let k = key[Int(s)]
        while true {
            var child = 2 &* i &+ 1
            if child >= n { break }
            if child &+ 1 < n && key[Int(heap[child &+ 1])] < key[Int(heap[child])] { child &+= 1 }
            let cs = heap[child]
            if key[Int(cs)] >= k { break }
            heap[i] = cs
            position[Int(cs)] = Int32(truncatingIfNeeded: i)
            i = child
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }
}
