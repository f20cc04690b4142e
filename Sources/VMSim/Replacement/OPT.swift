/// Belady's optimal replacement (OPT, MIN), clairvoyant.
///
/// Semantics: on a miss with all frames taken, evict the resident page whose next reference is
/// furthest in the future. Pages never referenced again count as infinitely far; among several such
/// pages, the one loaded earliest is evicted. No policy has fewer misses on any trace.
///
/// The next reference of each access comes from the trace (`PageAccess.nextUse`): taken from the
/// oracleGeneral `next_access_vtime` field, or computed by `NextUseIndex` in a pass before the run.
///
/// - Complexity: O(log n) per reference (an indexed binary max-heap over frames keyed by next use);
///   48 bytes per frame.
public struct OPTPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// True: OPT needs each access's next use.
    public static var needsNextUse: Bool { true }

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    /// Slots by priority: the next use, or for a page never used again, a value above every next
    /// use that decreases with the time the page was loaded (so the earliest loaded is largest).
    @usableFromInline var heap: SlotHeap
    /// The time (reference index) each slot's page was loaded: the tie-break among never-again pages.
    @usableFromInline var loadTime: ContiguousArray<UInt64>
    /// References seen so far.
    @usableFromInline var time: UInt64 = 0

    /// An empty Belady's OPT over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: upfrontCapacity(frames))
        pages = []; loadTime = []
        pages.reserveCapacity(upfrontCapacity(frames)); loadTime.reserveCapacity(upfrontCapacity(frames))
        heap = SlotHeap(capacity: upfrontCapacity(frames))
    }

    @inlinable
    static func key(nextUse: Int64, loadedAt time: UInt64) -> UInt64 {
        // A finite next use is a non-negative Int64, below 2^63. Never-again keys are 2^63 and up,
        // larger for pages loaded earlier.
        nextUse >= 0 && nextUse != PageAccess.never
            ? UInt64(nextUse)
            : (1 << 63) | ((1 << 63) - 1 - (time & ((1 << 63) - 1)))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(log frames).
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let now = time
        time &+= 1
        let slot = map.find(page)
        if slot != .max {
            // With a consistent oracle the key only grows (the next use moves later, or to never),
            // but a trace may lie, so the heap sifts whichever way the key moved.
            heap.update(slot, key: Self.key(nextUse: nextUse, loadedAt: loadTime[Int(slot)]))
            return .hit(slot)
        }
        let k = Self.key(nextUse: nextUse, loadedAt: now)
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            loadTime.append(now)
            map.insert(page, s)
            heap.insert(s, key: k)
            return .fill(s)
        }
        let s = heap.top
        let victim = pages[Int(s)]
        map.remove(victim)
        pages[Int(s)] = page
        loadTime[Int(s)] = now
        map.insert(page, s)
        heap.update(s, key: k)
        return .evict(s, victim: victim)
    }
}
