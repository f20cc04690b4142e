/// Adaptive Replacement Cache (Megiddo & Modha, FAST 2003), as libCacheSim implements it.
///
/// Semantics: four LRU lists. T1 holds pages referenced once since they entered, T2 pages
/// referenced at least twice; B1 and B2 are their ghosts (page numbers of recent evictions, no
/// frame). The target size `p` of T1 adapts: a miss that finds the page in B1 raises it by
/// `max(|B2| / |B1|, 1)` (at most `frames`), one in B2 lowers it by `max(|B1| / |B2|, 1)` (at least 0),
/// with the lists' sizes taken before the ghost is removed; `p` is a real number, as in libCacheSim
/// (the paper leaves it open). A hit in T1 or T2 moves the page to T2's MRU end. A ghost hit brings
/// the page into T2, any other miss into T1.
///
/// When a miss finds every frame taken: after a ghost hit, REPLACE. Otherwise (case IV of the
/// paper) if `|T1| + |B1| + 1 > frames`: when B1 is not empty drop its LRU entry and REPLACE, else
/// evict T1's LRU page without a ghost; if not, drop B2's LRU entry when the four lists hold
/// `2 × frames` entries, then REPLACE. REPLACE evicts T1's LRU page into B1 when
/// `|T1| > 0 and (|T1| > p or (|T1| == p and the page was in B2))`, or when T2 is empty; otherwise
/// T2's LRU page into B2. Before memory fills no page is evicted, so no ghost exists.
///
/// The map stores each entry's list with its node number, so a hit learns both from one probe.
///
/// - Complexity: O(1) per reference; at most `2 × frames` entries of 16 bytes of list and 16 bytes
///   of map.
public struct ARCPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static var nodePrefetchThreshold: Int { 1 << 15 }
    @usableFromInline static let inT1: UInt8 = 0, inT2: UInt8 = 1, inB1: UInt8 = 2, inB2: UInt8 = 3

    /// page -> node number | list << 32.
    @usableFromInline var map: PageMap<UInt64>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var t1 = IndexList(), t2 = IndexList(), b1 = IndexList(), b2 = IndexList()
    @usableFromInline var ghosts: GhostNumbers
    /// The adaptive target size of T1.
    @usableFromInline var p: Double = 0
    @usableFromInline var used: Int32 = 0

    /// An empty ARC over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        ghosts = GhostNumbers(firstNumber: frames)
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
        let v = map.find(page)
        if v != .max { nodes.prefetchNode(Int32(truncatingIfNeeded: v)) }
    }

    @inlinable @inline(__always)
    static func pack(_ node: Int32, _ list: UInt8) -> UInt64 { UInt64(UInt32(bitPattern: node)) | UInt64(list) << 32 }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let i = map.index(of: page)
        var ghostHit: UInt8 = Self.inT1
        if i >= 0 {
            let v = map.value(at: i)
            let n = Int32(truncatingIfNeeded: v)
            switch UInt8(truncatingIfNeeded: v >> 32) {
            case Self.inT1:
                nodes.remove(n, &t1)
                nodes.pushHead(n, &t2)
                map.setValue(Self.pack(n, Self.inT2), at: i)
                return .hit(n)
            case Self.inT2:
                nodes.moveToHead(n, &t2)
                return .hit(n)
            case Self.inB1:
                p = min(p + max(Double(b2.count) / Double(b1.count), 1), Double(frames))
                nodes.remove(n, &b1)
                ghostHit = Self.inB1
            default:
                p = max(p - max(Double(b1.count) / Double(b2.count), 1), 0)
                nodes.remove(n, &b2)
                ghostHit = Self.inB2
            }
            map.remove(at: i)
            ghosts.release(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
        } else if ghostHit != Self.inT1 {
            result = replace(pageWasInB2: ghostHit == Self.inB2)
        } else if t1.count + b1.count + 1 > frames {
            if b1.count > 0 {
                dropGhost(fromB2: false)
                result = replace(pageWasInB2: false)
            } else {
                let s = nodes.popTail(&t1)
                let victim = nodes.page(s)
                map.remove(victim)
                result = .evict(s, victim: victim)
            }
        } else {
            if t1.count + b1.count + t2.count + b2.count >= 2 * frames && b2.count > 0 { dropGhost(fromB2: true) }
            result = replace(pageWasInB2: false)
        }
        let s = result.slot
        nodes.setPage(s, page)
        if ghostHit != Self.inT1 {
            nodes.pushHead(s, &t2)
            map.insert(page, Self.pack(s, Self.inT2))
        } else {
            nodes.pushHead(s, &t1)
            map.insert(page, Self.pack(s, Self.inT1))
        }
        return result
    }

    /// The paper's REPLACE: evicts T1's or T2's LRU page into the matching ghost list.
    @inlinable
    mutating func replace(pageWasInB2: Bool) -> ReferenceResult {
        let t1Size = Double(t1.count)
        if (t1.count > 0 && (t1Size > p || (t1Size == p && pageWasInB2))) || t2.count == 0 {
            let s = nodes.popTail(&t1)
            lookAhead(t1.tail)
            return .evict(s, victim: makeGhost(of: s, inB2: false))
        }
        let s = nodes.popTail(&t2)
        lookAhead(t2.tail)
        return .evict(s, victim: makeGhost(of: s, inB2: true))
    }

    /// Victims come from the LRU ends: warm up the map entry of the next one and the node after it.
    @inlinable @inline(__always)
    func lookAhead(_ tail: Int32) {
        guard tail >= 0 else { return }
        map.prefetch(nodes.page(tail))
        nodes.prefetchNode(nodes.prev(tail))
    }

    /// Moves the page of slot `s` to the MRU end of a ghost list; returns the page.
    @inlinable
    mutating func makeGhost(of s: Int32, inB2: Bool) -> UInt64 {
        let victim = nodes.page(s)
        let g = ghosts.take(&nodes)
        nodes.setPage(g, victim)
        if inB2 { nodes.pushHead(g, &b2) } else { nodes.pushHead(g, &b1) }
        map.update(victim, Self.pack(g, inB2 ? Self.inB2 : Self.inB1))
        return victim
    }

    @inlinable
    mutating func dropGhost(fromB2: Bool) {
        let g = fromB2 ? nodes.popTail(&b2) : nodes.popTail(&b1)
        map.remove(nodes.page(g))
        ghosts.release(g)
        lookAhead(fromB2 ? b2.tail : b1.tail)
    }
}
