/// Paging-structure caches (Intel SDM vol. 3 §4.10.3; AMD's page walk cache): small fully
/// associative LRU caches of upper-level entries, so that a TLB miss can start the walk below the
/// root. The cache of pointer level `i` maps the address bits that index levels `0...i` to the
/// table of level `i + 1`, with the permissions combined so far, as the hardware keeps them.
///
/// A lookup tries the deepest cache first; a hit there leaves one memory reference (the PTE) for
/// a 4-level walk instead of four.
public struct WalkCache: Sendable {
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var key: UInt64
        @usableFromInline var table: Int32
        @usableFromInline var asid: UInt16
        @usableFromInline var combinedAnd: UInt64
        @usableFromInline var combinedOr: UInt64
        @usableFromInline var stamp: UInt64
        @inlinable init(key: UInt64, table: Int32, asid: UInt16, combinedAnd: UInt64, combinedOr: UInt64, stamp: UInt64) {
            self.key = key
            self.table = table
            self.asid = asid
            self.combinedAnd = combinedAnd
            self.combinedOr = combinedOr
            self.stamp = stamp
        }
    }

    @usableFromInline struct Cache: Sendable {
        /// The pointer level cached (its entries point to tables of `level + 1`).
        @usableFromInline var level: Int
        @usableFromInline var shift: UInt64
        @usableFromInline var base: Int
        @usableFromInline var count: Int
        @usableFromInline var hits: UInt64
    }

    /// The sizes the caches were built with.
    public let spec: WalkCacheSpec
    @usableFromInline var pool: ContiguousArray<Entry>
    /// Deepest level first.
    @usableFromInline var caches: ContiguousArray<Cache>
    @usableFromInline var clock: UInt64 = 0
    /// Lookups made (one per walk).
    @usableFromInline var lookupCount: UInt64 = 0
    /// Lookups made (one per walk).
    public var lookups: UInt64 { lookupCount }

    static let emptyKey = UInt64.max

    /// Caches for the deepest pointer levels of `format`, sized by `spec` (deepest first); levels
    /// held in registers (PAE PDPTEs) get none.
    /// - Complexity: O(levels + entries).
    public init(spec: WalkCacheSpec, format: PageTableFormat) {
        self.spec = spec
        pool = []
        caches = []
        var level = format.levels.count - 2
        for n in spec.entries {
            while level >= 0 && format.levels[level].heldInRegisters { level -= 1 }
            guard level >= 0 else { break }
            if n > 0 {
                caches.append(Cache(level: level, shift: UInt64(format.levels[level].shift), base: pool.count, count: n, hits: 0))
                pool.append(contentsOf: repeatElement(Entry(key: Self.emptyKey, table: -1, asid: 0, combinedAnd: 0, combinedOr: 0, stamp: 0), count: n))
            }
            level -= 1
        }
    }

    /// An empty placeholder.
    @usableFromInline init() {
        spec = .none
        pool = []
        caches = []
    }

    /// The deepest cached table on the way to `address`, or `nil` (walk from the root).
    /// - Complexity: O(total entries).
    @inlinable
    public mutating func lookup(_ address: UInt64, asid: UInt16) -> WalkStart? {
        if caches.isEmpty { return nil }
        lookupCount &+= 1
        for c in caches.indices {
            let cache = caches[c]
            let key = address >> cache.shift
            for slot in cache.base..<(cache.base &+ cache.count) {
                let e = pool[slot]
                if e.key == key && e.asid == asid {
                    clock &+= 1
                    pool[slot].stamp = clock
                    caches[c].hits &+= 1
                    return WalkStart(level: cache.level + 1, table: e.table, combinedAnd: e.combinedAnd, combinedOr: e.combinedOr)
                }
            }
        }
        return nil
    }

    /// Caches the pointer entry of `step` (a walk step that led to another table), if its level has a cache.
    /// - Complexity: O(entries of that cache).
    @inlinable
    public mutating func fill(_ address: UInt64, step: WalkStep, asid: UInt16) {
        guard step.nextTable >= 0 else { return }
        for c in caches.indices where caches[c].level == step.level {
            let cache = caches[c]
            let key = address >> cache.shift
            var victim = cache.base
            var oldest = UInt64.max
            for slot in cache.base..<(cache.base + cache.count) {
                let e = pool[slot]
                if e.key == key && e.asid == asid { victim = slot; break }
                if e.stamp < oldest { oldest = e.stamp; victim = slot }
            }
            clock &+= 1
            pool[victim] = Entry(key: key, table: step.nextTable, asid: asid, combinedAnd: step.combinedAnd,
                                 combinedOr: step.combinedOr, stamp: clock)
            return
        }
    }

    /// Drops every entry (INVLPG drops all paging-structure cache entries of the current PCID;
    /// VMSim drops them all, which is what a CR3 write without PCID does).
    /// - Complexity: O(entries).
    public mutating func flush() {
        for i in pool.indices { pool[i].key = Self.emptyKey; pool[i].stamp = 0 }
    }

    /// Hits per cached level, top level first: (level index, entries, hits).
    /// - Complexity: O(cached levels).
    public var stats: [WalkCacheLevelStats] {
        caches.reversed().map { WalkCacheLevelStats(level: $0.level, entries: $0.count, hits: $0.hits) }
    }
}

/// Counts of one paging-structure cache.
public struct WalkCacheLevelStats: Hashable, Sendable {
    /// The pointer level cached (0 = root's entries).
    public var level: Int
    /// Entries of the cache.
    public var entries: Int
    /// Walks that started below this level thanks to a hit.
    public var hits: UInt64
}

/// Passes a walk's steps to the walk cache (the MMU's recorder on a TLB miss).
@usableFromInline
struct WalkCacheFiller: WalkRecorder {
    @usableFromInline var cache: WalkCache
    @usableFromInline let address: UInt64
    @usableFromInline let asid: UInt16
    @usableFromInline init(cache: WalkCache, address: UInt64, asid: UInt16) {
        self.cache = cache
        self.address = address
        self.asid = asid
    }
    @inlinable mutating func record(_ step: WalkStep) {
        if step.nextTable >= 0 { cache.fill(address, step: step, asid: asid) }
    }
}
