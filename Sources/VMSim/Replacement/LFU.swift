/// Least frequently used, ties broken by recency (libCacheSim's `LFU`).
///
/// Semantics: each resident page counts its references since it was loaded (1 on entry; nothing
/// is remembered after eviction). On a miss with every frame taken, the page with the lowest count
/// is evicted; among pages with that count, the one that reached it earliest, which is the one
/// referenced least recently (every reference changes the count). The new page takes the frame with
/// count 1.
///
/// The pages are kept in buckets of equal count, linked in increasing order of count (the O(1) LFU
/// of Shah, Mitra & Matani): a hit moves the page from bucket f to bucket f + 1, created next to f
/// when missing, and an empty bucket is unlinked.
///
/// - Complexity: O(1) per reference; 16 bytes of list, 4 bytes of bucket number and 16 bytes of map
///   per frame, and at most one 40-byte bucket per frame.
public struct LFUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static var nodePrefetchThreshold: Int { 1 << 15 }
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var bucketOf: ContiguousArray<Int32> = []
    /// Buckets: their links (in increasing order of count, the lowest at the head), their count,
    /// and the pages in each (the latest arrival at the head).
    @usableFromInline var bucketLinks: IndexLinks
    @usableFromInline var bucketCount: ContiguousArray<UInt64> = []
    @usableFromInline var bucketPages: ContiguousArray<IndexList> = []
    @usableFromInline var buckets = IndexList()
    @usableFromInline var bucketNumbers: GhostNumbers
    @usableFromInline var used: Int32 = 0

    /// An empty LFU over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        bucketLinks = IndexLinks(count: 64)
        bucketNumbers = GhostNumbers(firstNumber: 0)
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// Starts loading the list node of `page`, when it is resident and the nodes outgrow the cache.
    /// - Complexity: O(1) expected (one map lookup); the policy is not changed.
    @inlinable
    public mutating func prefetchNode(_ page: UInt64) {
        // Only worth a second probe when the nodes outgrow the cache.
        guard frames > Self.nodePrefetchThreshold else { return }
        let n = map.find(page)
        if n != .max { nodes.prefetchNode(n) }
    }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max {
            let b = bucketOf[Int(n)]
            let count = bucketCount[Int(b)] &+ 1
            var up = bucketLinks.next(b)
            if up < 0 || bucketCount[Int(up)] != count {
                up = newBucket(count: count, before: up)
            }
            nodes.remove(n, &bucketPages[Int(b)])
            nodes.pushHead(n, &bucketPages[Int(up)])
            bucketOf[Int(n)] = up
            if bucketPages[Int(b)].isEmpty { dropBucket(b) }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            bucketOf.cover(nodes.capacity, with: -1)
        } else {
            let b = buckets.head
            let s = nodes.popTail(&bucketPages[Int(b)])
            if bucketPages[Int(b)].isEmpty { dropBucket(b) }
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        }
        let s = result.slot
        var one = buckets.head
        if one < 0 || bucketCount[Int(one)] != 1 { one = newBucket(count: 1, before: one) }
        nodes.setPage(s, page)
        nodes.pushHead(s, &bucketPages[Int(one)])
        bucketOf[Int(s)] = one
        map.insert(page, s)
        return result
    }

    /// A new empty bucket for `count`, linked just below `successor` (-1: at the top).
    @inlinable
    mutating func newBucket(count: UInt64, before successor: Int32) -> Int32 {
        let b = bucketNumbers.take(&bucketLinks)
        bucketCount.cover(bucketLinks.capacity, with: 0)
        bucketPages.cover(bucketLinks.capacity, with: IndexList())
        bucketCount[Int(b)] = count
        bucketPages[Int(b)] = IndexList()
        bucketLinks.insert(b, before: successor, &buckets)
        return b
    }

    @inlinable
    mutating func dropBucket(_ b: Int32) {
        bucketLinks.remove(b, &buckets)
        bucketNumbers.release(b)
    }
}
