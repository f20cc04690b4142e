/// SIEVE (Zhang et al., NSDI 2024), as libCacheSim's `Sieve` implements it.
///
/// Semantics: resident pages form one queue, newest at the head; each has a `visited` bit, clear on
/// entry and set by a hit (hits move nothing). A hand walks from the tail towards the head: on a
/// miss with every frame taken, pages the hand passes with `visited` set have it cleared and stay
/// where they are; the first page found clear is evicted and the hand stays at that page's
/// neighbour towards the head (wrapping to the tail past the head). The new page enters at the head.
///
/// - Complexity: O(1) amortized per reference (each bit the hand clears was set by a hit); 16 bytes
///   of list, one byte of bit and 16 bytes of map per frame.
public struct SIEVEPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var visited: ContiguousArray<Bool> = []
    @usableFromInline var queue = IndexList()
    /// The node the hand points at, or -1 for the tail.
    @usableFromInline var hand: Int32 = -1
    @usableFromInline var used: Int32 = 0

    /// An empty SIEVE over `frames` page frames (at least 1).
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
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max {
            visited[Int(n)] = true
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            visited.cover(nodes.capacity, with: false)
        } else {
            var s = hand < 0 ? queue.tail : hand
            while visited[Int(s)] {
                visited[Int(s)] = false
                let p = nodes.prev(s)
                s = p < 0 ? queue.tail : p
            }
            hand = nodes.prev(s)
            nodes.remove(s, &queue)
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        }
        let s = result.slot
        nodes.setPage(s, page)
        visited[Int(s)] = false
        nodes.pushHead(s, &queue)
        map.insert(page, s)
        return result
    }
}
