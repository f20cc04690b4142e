/// Exact recency order for LRU and MRU, kept as an append-only log instead of a linked list.
///
/// Every reference appends `(page, stamp)` to a ring-buffer log and stores the stamp with the page's
/// entry in the hash map (`page -> stamp << 32 | slot`). A log entry is live if its stamp is still
/// the page's stamp; older entries of the same page are stale and skipped. The oldest live entry is
/// the least recently used page, the newest the most recently used. A hit therefore costs one hash
/// probe and one sequential append (a linked list needs three or four scattered node updates), and
/// the log is consumed in order, so the probes that check its entries can be prefetched.
///
/// The log holds up to four times the resident pages; when full it is compacted to the live entries
/// in order (and doubled if they still fill half of it). Stamps are 32-bit and are renumbered (after a compaction) before they wrap.
///
/// - Complexity: O(1) amortized per operation (each appended entry is checked once, when it is
///   consumed by an eviction or dropped by a compaction); 32 bytes of map and up to 32 bytes of log
///   per frame.
public struct RecencyLog: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var page: UInt64
        @usableFromInline var stamp: UInt32
        @inlinable init(page: UInt64, stamp: UInt32) { self.page = page; self.stamp = stamp }
    }

    @usableFromInline var map: PageMap<UInt64>
    @usableFromInline var log: ContiguousArray<Entry>
    @usableFromInline var mask: Int
    /// Index of the oldest log entry, and the number of entries.
    @usableFromInline var head = 0
    @usableFromInline var length = 0
    @usableFromInline var clock: UInt32 = 0

    /// A log for up to `frames` resident pages.
    /// - Complexity: O(min(frames, 2^16)) to allocate the map and the log.
    public init(frames: Int) {
        map = PageMap(expectedCount: upfrontCapacity(frames))
        var size = 16
        while size < 4 * upfrontCapacity(frames) { size <<= 1 }
        log = HugePages.array(repeating: Entry(page: 0, stamp: 0), count: size)
        mask = size - 1
    }

    /// Resident pages.
    @inlinable public var count: Int { map.count }

    @inlinable @inline(__always)
    static func pack(stamp: UInt32, slot: Int32) -> UInt64 { UInt64(stamp) << 32 | UInt64(UInt32(bitPattern: slot)) }

    /// If `page` is resident, records a reference to it and returns its slot; otherwise returns -1.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func touch(_ page: UInt64) -> Int32 {
        let i = map.index(of: page)
        guard i >= 0 else { return -1 }
        let slot = Int32(truncatingIfNeeded: map.value(at: i))
        let stamp = nextStamp()
        map.setValue(Self.pack(stamp: stamp, slot: slot), at: i)
        append(page, stamp)
        return slot
    }

    /// Makes `page` resident in `slot` and records a reference to it.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func insert(_ page: UInt64, slot: Int32) {
        let stamp = nextStamp()
        map.insert(page, Self.pack(stamp: stamp, slot: slot))
        append(page, stamp)
    }

    /// Removes the least recently used page and returns it with its slot.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func evictOldest() -> (page: UInt64, slot: Int32) {
        while true {
            // Entries are consumed in order: warm up the probes of the ones coming next.
            map.prefetch(log[(head &+ 8) & mask].page)
            let e = log[head]
            head = (head &+ 1) & mask
            length &-= 1
            let i = map.index(of: e.page)
            if i >= 0 && UInt32(truncatingIfNeeded: map.value(at: i) >> 32) == e.stamp {
                let slot = Int32(truncatingIfNeeded: map.value(at: i))
                map.remove(at: i)
                return (e.page, slot)
            }
        }
    }

    /// Removes the most recently used page and returns it with its slot.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func evictNewest() -> (page: UInt64, slot: Int32) {
        while true {
            length &-= 1
            let e = log[(head &+ length) & mask]
            let i = map.index(of: e.page)
            if i >= 0 && UInt32(truncatingIfNeeded: map.value(at: i) >> 32) == e.stamp {
                let slot = Int32(truncatingIfNeeded: map.value(at: i))
                map.remove(at: i)
                return (e.page, slot)
            }
        }
    }

    /// One reference under LRU (`evictNewest == false`) or MRU (`true`), with `frames` frames: a hit
    /// records the reference; a miss fills the next free frame, or evicts the least (most) recently
    /// used page and takes its frame. The two policies differ only in that argument, a constant at
    /// each call site.
    /// - Complexity: O(1) amortized.
    @inlinable @inline(__always)
    public mutating func reference(_ page: UInt64, frames: Int, evictNewest: Bool) -> ReferenceResult {
        let slot = touch(page)
        if slot >= 0 { return .hit(slot) }
        if count < frames {
            let s = Int32(truncatingIfNeeded: count)
            insert(page, slot: s)
            return .fill(s)
        }
        let victim = evictNewest ? self.evictNewest() : evictOldest()
        insert(page, slot: victim.slot)
        return .evict(victim.slot, victim: victim.page)
    }

    /// Starts loading `page`'s hash probe (see `ReplacementPolicy.prefetch`).
    /// - Complexity: O(1); the log is not changed.
    @inlinable @inline(__always)
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    @inlinable @inline(__always)
    mutating func nextStamp() -> UInt32 {
        if clock == .max { renumber() }
        let s = clock
        clock &+= 1
        return s
    }

    @inlinable @inline(__always)
    mutating func append(_ page: UInt64, _ stamp: UInt32) {
        if length == log.count {
            compact()
            // Compaction must free at least half the ring to keep appends O(1) amortized; it
            // cannot when more pages are resident than the ring was sized for.
            if length > log.count / 2 { grow() }
        }
        log[(head &+ length) & mask] = Entry(page: page, stamp: stamp)
        length &+= 1
    }

    /// Drops stale entries, keeping the live ones in order at the front of the ring.
    @usableFromInline
    @inline(never)
    mutating func compact() {
        var kept = 0
        for k in 0..<length {
            map.prefetch(log[(head &+ k &+ 16) & mask].page)
            let e = log[(head &+ k) & mask]
            let v = map.find(e.page)
            if v != .max && UInt32(truncatingIfNeeded: v >> 32) == e.stamp {
                log[(head &+ kept) & mask] = e
                kept &+= 1
            }
        }
        length = kept
    }

    /// Doubles the ring, keeping the entries in order.
    @usableFromInline
    @inline(never)
    mutating func grow() {
        var bigger = HugePages.array(repeating: Entry(page: 0, stamp: 0), count: log.count * 2)
        for k in 0..<length { bigger[k] = log[(head &+ k) & mask] }
        log = bigger
        mask = log.count - 1
        head = 0
    }

    /// Gives the live entries fresh stamps 0, 1, 2, ... in order, before the 32-bit clock wraps.
    @usableFromInline
    @inline(never)
    mutating func renumber() {
        compact()
        for k in 0..<length {
            let at = (head &+ k) & mask
            let e = log[at]
            let i = map.index(of: e.page)
            let slot = Int32(truncatingIfNeeded: map.value(at: i))
            map.setValue(Self.pack(stamp: UInt32(k), slot: slot), at: i)
            log[at].stamp = UInt32(k)
        }
        clock = UInt32(length)
    }
}
