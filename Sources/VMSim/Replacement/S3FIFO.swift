/// S3-FIFO (Yang et al., SOSP 2023), as libCacheSim's `S3FIFO` implements it.
///
/// Semantics: three FIFO queues. S (small) holds `⌊frames / 10⌋` pages, M (main) the rest, and G
/// (ghost) remembers the page numbers of up to `⌊0.9 × frames⌋` pages evicted from S. Each resident
/// page has a frequency counter, 0 on entry, raised by every hit (saturating at 3, which is all the
/// policy can observe). A miss on a page in G removes the ghost and puts the page at M's head;
/// any other miss puts it at S's head, except that while memory is filling (before the first
/// eviction) pages arriving when S is full go to M's head.
/// When a miss finds every frame taken, one page is evicted: from M if M holds more than its share
/// or S is empty, otherwise from S.
/// - From S: the tail page moves to M's head (counter reset to 0) if its counter is at least 2, and
///   the next tail is examined; the first tail page below 2 is evicted and its number goes to the
///   head of G (G's tail is dropped when G is full). If S empties, M evicts instead.
/// - From M: a tail page with counter `f ≥ 1` is reinserted at M's head with counter
///   `min(f, 3) − 1`; the first tail page at 0 is evicted.
///
/// Variant: libCacheSim admits a non-ghost page into S only when S has at least 2 frames, so below
/// 20 frames it caches nothing (and aborts below 10); VMSim uses `max(1, ⌊frames / 10⌋)` frames for S
/// and agrees with libCacheSim exactly from 20 frames up.
///
/// - Complexity: O(1) amortized per reference (each reinsertion into M repays a hit, each move from
///   S to M a hit); 16 bytes of list, two bytes of state and 16 bytes of map per page or ghost.
public struct S3FIFOPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// Frames of the small queue S, of M, and the ghost capacity of G.
    public let smallCapacity: Int, mainCapacity: Int, ghostCapacity: Int
    @usableFromInline static let inS: UInt8 = 0, inM: UInt8 = 1, inG: UInt8 = 2

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var list: ContiguousArray<UInt8> = []
    @usableFromInline var freq: ContiguousArray<UInt8> = []
    @usableFromInline var small = IndexList(), main = IndexList()
    @usableFromInline var ghost: GhostQueue
    @usableFromInline var used: Int32 = 0
    /// Whether any page has been evicted yet (until then a full S sends new pages to M).
    @usableFromInline var hasEvicted = false

    /// An empty S3-FIFO over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        smallCapacity = max(1, Int(Double(frames) * 0.1))
        mainCapacity = frames - smallCapacity
        ghostCapacity = Int(Double(frames) * 0.9)
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        ghost = GhostQueue(capacity: ghostCapacity, firstNumber: frames)
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
        var toMain = false
        if n != .max {
            if list[Int(n)] != Self.inG {
                if freq[Int(n)] < 3 { freq[Int(n)] &+= 1 }
                return .hit(n)
            }
            ghost.forget(n, &nodes)
            map.remove(page)
            toMain = true
        }
        var result: ReferenceResult
        if Int(used) == frames {
            hasEvicted = true
            result = evict()
        } else {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            list.cover(nodes.capacity, with: 0)
            freq.cover(nodes.capacity, with: 0)
        }
        let s = result.slot
        nodes.setPage(s, page)
        map.insert(page, s)
        freq[Int(s)] = 0
        if toMain || (!hasEvicted && small.count >= smallCapacity) {
            nodes.pushHead(s, &main)
            list[Int(s)] = Self.inM
        } else {
            nodes.pushHead(s, &small)
            list[Int(s)] = Self.inS
        }
        return result
    }

    @inlinable
    mutating func evict() -> ReferenceResult {
        if main.count <= mainCapacity && !small.isEmpty {
            while !small.isEmpty {
                let s = nodes.popTail(&small)
                if freq[Int(s)] >= 2 {
                    freq[Int(s)] = 0
                    nodes.pushHead(s, &main)
                    list[Int(s)] = Self.inM
                    continue
                }
                let victim = nodes.page(s)
                remember(victim)
                return .evict(s, victim: victim)
            }
        }
        while true {
            let s = nodes.popTail(&main)
            let f = freq[Int(s)]
            if f >= 1 {
                freq[Int(s)] = f &- 1
                nodes.pushHead(s, &main)
                continue
            }
            let victim = nodes.page(s)
            map.remove(victim)
            return .evict(s, victim: victim)
        }
    }

    /// Puts `victim` (just evicted from S, still in the map) at the head of G.
    @inlinable
    mutating func remember(_ victim: UInt64) {
        guard let g = ghost.remember(victim, &nodes, &map) else { return }
        list.cover(nodes.capacity, with: 0)
        freq.cover(nodes.capacity, with: 0)
        list[Int(g)] = Self.inG
    }
}
