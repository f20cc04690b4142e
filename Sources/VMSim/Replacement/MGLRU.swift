/// The multi-generational LRU (MGLRU, Linux 6.1+), reduced to one memory and one page type, with
/// 4 generations (`MAX_NR_GENS`), after Documentation/mm/multigen_lru.rst and mm/vmscan.c.
///
/// Semantics:
/// - Pages belong to generations numbered by sequence: `max_seq` is the youngest, `min_seq` the
///   oldest, and between 2 (`MIN_NR_GENS`) and 4 generations exist. A fault adds the page to the
///   youngest generation (lru_gen_add_folio's "freshly faulted" case). A reference sets the page's
///   accessed bit (its PTE's young bit) and moves nothing.
/// - Aging (`inc_max_seq`) opens a new youngest generation; its page-table walk would move every
///   page whose accessed bit is set into the generation that was youngest at the walk (`max_seq`
///   before the increment) and clear the bit. Reclaim runs aging as `should_run_aging` decides: when
///   only 2 generations are left, or when 3 are left and either the youngest holds more than half
///   of the pages or the oldest less than a quarter.
/// - Eviction takes pages from the tail of the oldest generation. A page found accessed is promoted
///   instead (to the generation the walks put it in, or to the youngest when it was accessed after
///   the last aging, as `folio_check_references`/look-around do); the first page not accessed is
///   evicted. An empty oldest generation is retired (`min_seq` + 1) while more than 2 remain;
///   otherwise aging runs first.
///
/// Simplified, because VMSim has no page tables yet: the walk is not performed at aging time;
/// instead each page remembers when it was placed in its generation and when it was last
/// referenced, and eviction computes where the walks would have put it (the first aging after its
/// last reference places it in the generation youngest at that aging). The generations and the
/// promotions are the same; the order of pages inside a generation is the order in which they
/// were placed there, not the kernel's walk order. Also left out: the anon/file split and
/// swappiness, tiers and the refault PID controller (they concern file pages read through file
/// descriptors), Bloom filters and look-around batching, `min_ttl_ms`, and batched reclaim: one
/// page is evicted per fault that needs a frame.
///
/// - Complexity: O(1) amortized per reference (aging is O(1); every promotion at eviction follows a
///   reference to the page); 16 bytes of list, 17 bytes of generation and times, and 16 bytes of
///   map per frame.
public struct MGLRUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// The most and the fewest generations that exist at once (`MAX_NR_GENS`, `MIN_NR_GENS`).
    public static let maxGenerations = 4, minGenerations = 2

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var generation: ContiguousArray<UInt64> = []
    @usableFromInline var placed: ContiguousArray<UInt64> = []
    @usableFromInline var lastReference: ContiguousArray<UInt64> = []
    /// The pages of each generation (`seq % 4`), newest at the head.
    @usableFromInline var lists: (IndexList, IndexList, IndexList, IndexList) = (.init(), .init(), .init(), .init())
    /// When each generation (`seq % 4`) was opened by aging.
    @usableFromInline var openedAt: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    @usableFromInline var minSeq: UInt64 = 0
    @usableFromInline var maxSeq: UInt64 = UInt64(MGLRUPolicy.minGenerations - 1)
    @usableFromInline var now: UInt64 = 0
    @usableFromInline var used: Int32 = 0

    /// An empty multi-generational LRU over `frames` page frames (at least 1).
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
        now &+= 1
        let n = map.find(page)
        if n != .max {
            lastReference[Int(n)] = now
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            generation.cover(nodes.capacity, with: 0)
            placed.cover(nodes.capacity, with: 0)
            lastReference.cover(nodes.capacity, with: 0)
        } else {
            result = reclaim()
        }
        let s = result.slot
        nodes.setPage(s, page)
        map.insert(page, s)
        lastReference[Int(s)] = now
        place(s, in: maxSeq)
        return result
    }

    /// Number of pages in generation `seq`.
    @inlinable
    func size(_ seq: UInt64) -> Int {
        switch seq & 3 {
        case 0: lists.0.count
        case 1: lists.1.count
        case 2: lists.2.count
        default: lists.3.count
        }
    }

    @inlinable
    func opened(_ seq: UInt64) -> UInt64 {
        switch seq & 3 {
        case 0: openedAt.0
        case 1: openedAt.1
        case 2: openedAt.2
        default: openedAt.3
        }
    }

    @inlinable
    mutating func place(_ s: Int32, in seq: UInt64) {
        generation[Int(s)] = seq
        placed[Int(s)] = now
        switch seq & 3 {
        case 0: nodes.pushHead(s, &lists.0)
        case 1: nodes.pushHead(s, &lists.1)
        case 2: nodes.pushHead(s, &lists.2)
        default: nodes.pushHead(s, &lists.3)
        }
    }

    @inlinable
    mutating func popOldest() -> Int32 {
        switch minSeq & 3 {
        case 0: nodes.popTail(&lists.0)
        case 1: nodes.popTail(&lists.1)
        case 2: nodes.popTail(&lists.2)
        default: nodes.popTail(&lists.3)
        }
    }

    /// `inc_max_seq`: opens a new youngest generation.
    @inlinable
    mutating func age() {
        maxSeq &+= 1
        switch maxSeq & 3 {
        case 0: openedAt.0 = now
        case 1: openedAt.1 = now
        case 2: openedAt.2 = now
        default: openedAt.3 = now
        }
    }

    /// `should_run_aging` for one page type.
    @inlinable
    func shouldRunAging() -> Bool {
        let generations = Int(maxSeq &- minSeq) + 1
        if generations <= Self.minGenerations { return true }
        if generations > Self.minGenerations + 1 { return false }
        let total = Int(used)
        if size(maxSeq) * Self.minGenerations > total { return true }
        if size(minSeq) * (Self.minGenerations + 2) < total { return true }
        return false
    }

    @inlinable
    mutating func reclaim() -> ReferenceResult {
        if shouldRunAging() { age() }
        while true {
            if size(minSeq) == 0 {
                if Int(maxSeq &- minSeq) + 1 > Self.minGenerations { minSeq &+= 1 } else { age() }
                continue
            }
            let s = popOldest()
            let i = Int(s)
            if lastReference[i] > placed[i] {
                // Accessed since it was placed: promote it where the walks (or, after the last
                // aging, the eviction path) would have.
                var target = maxSeq
                var seq = generation[i] &+ 1
                while seq <= maxSeq {
                    if opened(seq) > lastReference[i] { target = seq &- 1; break }
                    seq &+= 1
                }
                place(s, in: target)
                continue
            }
            let victim = nodes.page(s)
            map.remove(victim)
            return .evict(s, victim: victim)
        }
    }
}
