/// 2Q, the full version (Johnson & Shasha, VLDB 1994), as libCacheSim's `TwoQ` implements it.
///
/// Semantics: A1in is a FIFO of pages referenced once, Am an LRU of pages referenced again after
/// leaving A1in, A1out a FIFO of the page numbers (ghosts, no frame) of pages evicted from A1in.
/// Sizes: `Kin = ⌊frames / 4⌋`, `Kout = ⌊frames / 2⌋` ghosts, and Am holds at most `frames − Kin`.
/// A hit in A1in changes nothing; a hit in Am makes the page Am's MRU. A miss on a page in A1out
/// removes the ghost and brings the page into Am; any other miss brings it into A1in.
/// When a miss finds every frame taken: if A1in holds more than `Kin` pages its oldest is evicted
/// and remembered in A1out (dropping A1out's oldest when it holds `Kout`), otherwise Am's LRU page
/// is evicted (not remembered). A page entering a full Am evicts Am's LRU page even when frames are
/// free (Am is a bounded LRU inside the cache, as in libCacheSim).
///
/// Variant: libCacheSim admits nothing when `Kin` is 0 (fewer than 4 frames), so every reference
/// misses; VMSim takes `Kin = max(1, ⌊frames / 4⌋)` and, when that leaves Am no room (1 frame), puts
/// A1out's pages into A1in instead. From 4 frames up the two agree exactly.
///
/// - Complexity: O(1) per reference; 16 bytes of list, one byte of tag and 16 bytes of map per page
///   or ghost (at most `frames + Kout`).
public struct TwoQPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static var nodePrefetchThreshold: Int { 1 << 15 }
    /// A1in's threshold `Kin`, A1out's size `Kout` and Am's capacity.
    public let kin: Int, kout: Int, amCapacity: Int
    @usableFromInline static let inA1in: UInt8 = 0, inAm: UInt8 = 1, inA1out: UInt8 = 2

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var list: ContiguousArray<UInt8> = []
    @usableFromInline var a1in = IndexList(), am = IndexList()
    @usableFromInline var a1out: GhostQueue
    @usableFromInline var used: Int32 = 0

    /// An empty 2Q over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        kin = max(1, frames / 4)
        kout = frames / 2
        amCapacity = frames - kin
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        a1out = GhostQueue(capacity: kout, firstNumber: frames)
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
        var toAm = false
        if n != .max {
            switch list[Int(n)] {
            case Self.inA1in:
                return .hit(n)
            case Self.inAm:
                nodes.moveToHead(n, &am)
                return .hit(n)
            default:
                a1out.forget(n, &nodes)
                map.remove(page)
                toAm = amCapacity > 0
            }
        }
        var result: ReferenceResult
        if Int(used) == frames {
            if a1in.count > kin || am.isEmpty {
                let s = nodes.popTail(&a1in)
                let victim = nodes.page(s)
                remember(victim)
                result = .evict(s, victim: victim)
            } else {
                result = evictAmLRU()
            }
        } else if toAm && am.count >= amCapacity {
            result = evictAmLRU()
        } else {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            list.cover(nodes.capacity, with: 0)
        }
        let s = result.slot
        nodes.setPage(s, page)
        map.insert(page, s)
        if toAm {
            nodes.pushHead(s, &am)
            list[Int(s)] = Self.inAm
        } else {
            nodes.pushHead(s, &a1in)
            list[Int(s)] = Self.inA1in
        }
        return result
    }

    @inlinable
    mutating func evictAmLRU() -> ReferenceResult {
        let s = nodes.popTail(&am)
        let victim = nodes.page(s)
        map.remove(victim)
        return .evict(s, victim: victim)
    }

    /// Puts `victim` (just evicted from A1in, still in the map) at the head of A1out.
    @inlinable
    mutating func remember(_ victim: UInt64) {
        guard let g = a1out.remember(victim, &nodes, &map) else { return }
        list.cover(nodes.capacity, with: 0)
        list[Int(g)] = Self.inA1out
    }
}
