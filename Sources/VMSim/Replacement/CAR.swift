/// CAR, Clock with Adaptive Replacement (Bansal & Modha, FAST 2004), as the paper states it.
///
/// Semantics: ARC's four lists with the two resident ones as clocks. T1 and T2 are circular
/// lists of resident pages with a reference bit; B1 and B2 are LRU lists of ghosts (page numbers
/// of evicted pages). A hit only sets the page's reference bit. On a miss with every frame taken,
/// REPLACE runs first: while no victim is found, if `|T1| ≥ max(1, p)` the page under T1's hand is
/// examined (bit clear: evicted into B1's MRU end; bit set: cleared and moved to T2's tail),
/// otherwise T2's (bit clear: evicted into B2's MRU end; bit set: cleared and moved to T2's tail).
/// Then, for a page in neither ghost list, B1's LRU entry is discarded when `|T1| + |B1| = frames`,
/// or else B2's when the four lists hold `2 × frames` entries. Last, the page is loaded with a clear
/// bit: at T1's tail if it was in no ghost list; else at T2's tail, after adapting `p` (a real
/// number): `p = min(p + max(1, |B2| / |B1|), frames)` for a page in B1,
/// `p = max(p − max(1, |B1| / |B2|), 0)` for a page in B2.
///
/// libCacheSim's Python package does not expose its CAR, so the tests check this one against a
/// direct transcription of the paper's pseudo-code and against hand-worked strings.
///
/// - Complexity: O(1) amortized per reference (every bit REPLACE clears was set by a hit); at most
///   `2 × frames` entries of 16 bytes of list, 2 bytes of state and 16 bytes of map.
public struct CARPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static let inT1: UInt8 = 0, inT2: UInt8 = 1, inB1: UInt8 = 2, inB2: UInt8 = 3

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var list: ContiguousArray<UInt8> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    /// T1 and T2: the hand (oldest) at the tail, the clock's "tail" (newest) at the head.
    @usableFromInline var t1 = IndexList(), t2 = IndexList(), b1 = IndexList(), b2 = IndexList()
    @usableFromInline var ghosts: GhostNumbers
    @usableFromInline var p: Double = 0
    @usableFromInline var used: Int32 = 0

    /// An empty CAR over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: 2 * upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        ghosts = GhostNumbers(firstNumber: frames)
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
        var ghost: UInt8 = Self.inT1
        if n != .max {
            let where_ = list[Int(n)]
            if where_ == Self.inT1 || where_ == Self.inT2 {
                referenced[Int(n)] = true
                return .hit(n)
            }
            ghost = where_
        }
        var result: ReferenceResult
        if Int(used) == frames {
            result = replace()
            if ghost == Self.inT1 {
                if t1.count + b1.count == frames {
                    dropGhost(fromB2: false)
                } else if t1.count + t2.count + b1.count + b2.count == 2 * frames {
                    dropGhost(fromB2: true)
                }
            }
        } else {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            list.cover(nodes.capacity, with: 0)
            referenced.cover(nodes.capacity, with: false)
        }
        let s = result.slot
        if ghost == Self.inB1 {
            p = min(p + max(1, Double(b2.count) / Double(b1.count)), Double(frames))
            nodes.remove(n, &b1)
        } else if ghost == Self.inB2 {
            p = max(p - max(1, Double(b1.count) / Double(b2.count)), 0)
            nodes.remove(n, &b2)
        }
        if ghost != Self.inT1 {
            ghosts.release(n)
            map.update(page, s)
            nodes.pushHead(s, &t2)
            list[Int(s)] = Self.inT2
        } else {
            map.insert(page, s)
            nodes.pushHead(s, &t1)
            list[Int(s)] = Self.inT1
        }
        nodes.setPage(s, page)
        referenced[Int(s)] = false
        return result
    }

    /// The paper's REPLACE: sweeps the clocks until a page with a clear bit is evicted.
    @inlinable
    mutating func replace() -> ReferenceResult {
        while true {
            if Double(t1.count) >= max(1, p) {
                let s = nodes.popTail(&t1)
                if !referenced[Int(s)] { return .evict(s, victim: makeGhost(of: s, inB2: false)) }
                referenced[Int(s)] = false
                nodes.pushHead(s, &t2)
                list[Int(s)] = Self.inT2
            } else {
                let s = nodes.popTail(&t2)
                if !referenced[Int(s)] { return .evict(s, victim: makeGhost(of: s, inB2: true)) }
                referenced[Int(s)] = false
                nodes.pushHead(s, &t2)
            }
        }
    }

    @inlinable
    mutating func makeGhost(of s: Int32, inB2: Bool) -> UInt64 {
        let victim = nodes.page(s)
        let g = ghosts.take(&nodes)
        list.cover(nodes.capacity, with: 0)
        referenced.cover(nodes.capacity, with: false)
        nodes.setPage(g, victim)
        list[Int(g)] = inB2 ? Self.inB2 : Self.inB1
        if inB2 { nodes.pushHead(g, &b2) } else { nodes.pushHead(g, &b1) }
        map.update(victim, g)
        return victim
    }

    @inlinable
    mutating func dropGhost(fromB2: Bool) {
        let g = fromB2 ? nodes.popTail(&b2) : nodes.popTail(&b1)
        map.remove(nodes.page(g))
        ghosts.release(g)
    }
}
