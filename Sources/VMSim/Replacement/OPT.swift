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
    public let frames: Int
    public static var needsNextUse: Bool { true }

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    /// Priority of each slot: the next use, or for a page never used again, a value above every
    /// next use that decreases with the time the page was loaded (so the earliest loaded is largest).
    @usableFromInline var keys: ContiguousArray<UInt64>
    /// The max-heap of slots, and each slot's position in it.
    @usableFromInline var heap: ContiguousArray<Int32>
    @usableFromInline var position: ContiguousArray<Int32>
    /// The time (reference index) each slot's page was loaded: the tie-break among never-again pages.
    @usableFromInline var loadTime: ContiguousArray<UInt64>
    /// References seen so far.
    @usableFromInline var time: UInt64 = 0

    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        map = PageMap(expectedCount: frames)
        pages = []; keys = []; heap = []; position = []; loadTime = []
        pages.reserveCapacity(frames); keys.reserveCapacity(frames); loadTime.reserveCapacity(frames)
        heap.reserveCapacity(frames); position.reserveCapacity(frames)
    }

    @inlinable
    static func key(nextUse: Int64, loadedAt time: UInt64) -> UInt64 {
        // A finite next use is a non-negative Int64, below 2^63. Never-again keys are 2^63 and up,
        // larger for pages loaded earlier.
        nextUse >= 0 && nextUse != PageAccess.never
            ? UInt64(nextUse)
            : (1 << 63) | ((1 << 63) - 1 - (time & ((1 << 63) - 1)))
    }

    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let now = time
        time &+= 1
        let slot = map.find(page)
        if slot != .max {
            // With a consistent oracle the key only grows (the next use moves later, or to never),
            // but a trace may lie, so sift whichever way the key moved.
            let old = keys[Int(slot)]
            let new = Self.key(nextUse: nextUse, loadedAt: loadTime[Int(slot)])
            keys[Int(slot)] = new
            if new > old { siftUp(Int(position[Int(slot)])) } else { siftDown(Int(position[Int(slot)])) }
            return .hit(slot)
        }
        let k = Self.key(nextUse: nextUse, loadedAt: now)
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            keys.append(k)
            loadTime.append(now)
            position.append(Int32(truncatingIfNeeded: heap.count))
            heap.append(s)
            map.insert(page, s)
            siftUp(heap.count - 1)
            return .fill(s)
        }
        let s = heap[0]
        let victim = pages[Int(s)]
        map.remove(victim)
        pages[Int(s)] = page
        keys[Int(s)] = k
        loadTime[Int(s)] = now
        map.insert(page, s)
        siftDown(0)
        return .evict(s, victim: victim)
    }

    @inlinable
    mutating func siftUp(_ start: Int) {
        var i = start
        let s = heap[i]
        let k = keys[Int(s)]
        while i > 0 {
            let parent = (i &- 1) >> 1
            let ps = heap[parent]
            if keys[Int(ps)] >= k { break }
            heap[i] = ps
            position[Int(ps)] = Int32(truncatingIfNeeded: i)
            i = parent
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
        var i = start
        let n = heap.count
        let s = heap[i]
        let k = keys[Int(s)]
        while true {
            var child = 2 &* i &+ 1
            if child >= n { break }
            if child &+ 1 < n && keys[Int(heap[child &+ 1])] > keys[Int(heap[child])] { child &+= 1 }
            let cs = heap[child]
            if keys[Int(cs)] <= k { break }
            heap[i] = cs
            position[Int(cs)] = Int32(truncatingIfNeeded: i)
            i = child
        }
        heap[i] = s
        position[Int(s)] = Int32(truncatingIfNeeded: i)
    }
}
