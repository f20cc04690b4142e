/// Aging (Tanenbaum, Modern Operating Systems): NFU with 8-bit counters that forget.
///
/// Semantics: each resident page has a referenced bit R, set by every reference, and an 8-bit
/// counter. Every `N` references (`aging:N`; by default `N = frames`) a clock tick shifts every
/// counter right by one and puts R in its top bit: `counter = counter >> 1 | R << 7`, and clears R.
/// On a miss with every frame taken, the page with the lowest `(R, counter)` is evicted, R counting
/// as a ninth, highest bit (a page referenced since the last tick ranks above every page that was
/// not, which is what its counter will say at the next tick); among equals, the page that entered
/// that rank first (at a tick, pages enter their rank in frame order). The new page takes the frame
/// with counter 0 and R set (the faulting reference).
///
/// The pages are kept in 512 lists by rank; a reference that sets R moves the page to a higher
/// list; a tick rebuilds the lists.
///
/// - Complexity: O(1) per reference plus O(frames) per tick, so O(1) amortized with the default
///   interval; 25 bytes of list, counter and bit per frame and 16 bytes of map.
public struct AgingPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// References between two ticks.
    public let interval: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var counter: ContiguousArray<UInt8> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    @usableFromInline var ranks: ContiguousArray<IndexList>
    /// No rank below this one holds a page.
    @usableFromInline var lowest = 0
    @usableFromInline var untilTick: Int
    @usableFromInline var used: Int32 = 0

    /// An empty aging policy over `frames` page frames.
    /// - Parameter interval: references between ticks; `nil` means `frames`.
    /// - Parameter frames: the page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int, interval: Int? = nil) {
        precondition(frames > 0)
        self.frames = frames
        self.interval = max(1, interval ?? frames)
        untilTick = self.interval
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
        ranks = ContiguousArray(repeating: IndexList(), count: 512)
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    @inlinable
    func rank(_ s: Int32) -> Int { (referenced[Int(s)] ? 256 : 0) | Int(counter[Int(s)]) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1), plus O(frames) on every tick (every `interval` references).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        untilTick -= 1
        if untilTick == 0 {
            untilTick = interval
            tick()
        }
        let slot = map.find(page)
        if slot != .max {
            if !referenced[Int(slot)] {
                nodes.remove(slot, &ranks[rank(slot)])
                referenced[Int(slot)] = true
                nodes.pushHead(slot, &ranks[rank(slot)])
            }
            return .hit(slot)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            counter.cover(nodes.capacity, with: 0)
            referenced.cover(nodes.capacity, with: false)
        } else {
            while ranks[lowest].isEmpty { lowest += 1 }
            let s = nodes.popTail(&ranks[lowest])
            let victim = nodes.page(s)
            map.remove(victim)
            result = .evict(s, victim: victim)
        }
        let s = result.slot
        nodes.setPage(s, page)
        counter[Int(s)] = 0
        referenced[Int(s)] = true
        nodes.pushHead(s, &ranks[256])
        lowest = min(lowest, 256)
        map.insert(page, s)
        return result
    }

    /// The clock tick: shifts every counter, folds R into its top bit and rebuilds the rank lists.
    @usableFromInline
    mutating func tick() {
        for r in ranks.indices { ranks[r] = IndexList() }
        lowest = 511
        for s in 0..<used {
            let i = Int(s)
            counter[i] = counter[i] >> 1 | (referenced[i] ? 0x80 : 0)
            referenced[i] = false
            let r = Int(counter[i])
            nodes.pushHead(s, &ranks[r])
            lowest = min(lowest, r)
        }
    }
}
