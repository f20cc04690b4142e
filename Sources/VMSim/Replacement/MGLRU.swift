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
/// The generations are the kernel's own lists: an `LRUVector` (`struct lruvec`'s `lrugen`),
/// the one the kernel of `vmsim run` reclaims from with `machine lru=mglru`, so this policy's
/// oracle tests guard those lists too. What differs is what a trace can give: a trace has no page
/// tables, so the walk is not performed at aging time; instead each page remembers when it was placed in its generation and when it was last
/// referenced, and eviction computes where the walks would have put it (the first aging after its
/// last reference places it in the generation youngest at that aging). The generations and the
/// promotions are the same; the order of pages inside a generation is the order in which they
/// were placed there, not the kernel's walk order. Also left out: the anon/file split and
/// swappiness, tiers and the refault PID controller (they concern file pages read through file
/// descriptors), Bloom filters and look-around batching, `min_ttl_ms`, and batched reclaim: one
/// page is evicted per fault that needs a frame, and aging follows the 6.1 kernel's
/// `should_run_aging` (the proportions of the youngest and oldest generations), since a trace has
/// no reclaim priorities for the 6.14 rule to act on. The window starts at 2 generations (the
/// kernel starts at 4); both types' `min_seq` move together, the file type holding no page.
///
/// - Complexity: O(1) amortized per reference (aging is O(1); every promotion at eviction follows a
///   reference to the page); 12 bytes of list, 24 bytes of page and times, and 16 bytes of map
///   per frame.
public struct MGLRUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// The most and the fewest generations that exist at once (`MAX_NR_GENS`, `MIN_NR_GENS`).
    public static let maxGenerations = LRUVector.maxGenerations, minGenerations = LRUVector.minGenerations

    @usableFromInline var map: PageMap<Int32>
    /// The generation lists (anonymous type only), keyed by slot.
    @usableFromInline var lru: LRUVector
    @usableFromInline var pageOf: ContiguousArray<UInt64> = []
    @usableFromInline var placed: ContiguousArray<UInt64> = []
    @usableFromInline var lastReference: ContiguousArray<UInt64> = []
    /// When each generation (`seq % 4`) was opened by aging.
    @usableFromInline var openedAt: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    @usableFromInline var now: UInt64 = 0
    @usableFromInline var used: Int32 = 0

    /// An empty multi-generational LRU over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        lru = LRUVector(frames: frames, maxSeq: UInt64(Self.minGenerations - 1))
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
            let capacity = Int(used)
            pageOf.cover(capacity, with: 0)
            placed.cover(capacity, with: 0)
            lastReference.cover(capacity, with: 0)
        } else {
            result = reclaim()
        }
        let s = result.slot
        pageOf[Int(s)] = page
        map.insert(page, s)
        lastReference[Int(s)] = now
        place(s, in: lru.maxSeq)
        return result
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
        placed[Int(s)] = now
        lru.add(s, generation: seq, type: .anon)
    }

    /// `inc_max_seq`: opens a new youngest generation.
    @inlinable
    mutating func age() {
        lru.incMaxSeq()
        switch lru.maxSeq & 3 {
        case 0: openedAt.0 = now
        case 1: openedAt.1 = now
        case 2: openedAt.2 = now
        default: openedAt.3 = now
        }
    }

    /// The oldest generation, empty, is retired (`try_to_inc_min_seq`), for both types.
    @inlinable
    mutating func retire() {
        let next = lru.minSeq(.anon) &+ 1
        lru.setMinSeq(.anon, next)
        lru.setMinSeq(.file, next)
    }

    /// `should_run_aging` for one page type (the 6.1 kernel's proportions).
    @inlinable
    func shouldRunAging() -> Bool {
        let generations = lru.generations(.anon)
        if generations <= Self.minGenerations { return true }
        if generations > Self.minGenerations + 1 { return false }
        let total = Int(used)
        if lru.count(seq: lru.maxSeq, .anon) * Self.minGenerations > total { return true }
        if lru.count(seq: lru.minSeq(.anon), .anon) * (Self.minGenerations + 2) < total { return true }
        return false
    }

    @inlinable
    mutating func reclaim() -> ReferenceResult {
        if shouldRunAging() { age() }
        while true {
            let minSeq = lru.minSeq(.anon)
            let s = lru.tail(seq: minSeq, .anon)
            if s < 0 {
                if lru.generations(.anon) > Self.minGenerations { retire() } else { age() }
                continue
            }
            lru.remove(s)
            let i = Int(s)
            if lastReference[i] > placed[i] {
                // Accessed since it was placed: promote it where the walks (or, after the last
                // aging, the eviction path) would have.
                let maxSeq = lru.maxSeq
                var target = maxSeq
                var seq = minSeq &+ 1
                while seq <= maxSeq {
                    if opened(seq) > lastReference[i] { target = seq &- 1; break }
                    seq &+= 1
                }
                place(s, in: target)
                continue
            }
            let victim = pageOf[i]
            map.remove(victim)
            return .evict(s, victim: victim)
        }
    }
}
