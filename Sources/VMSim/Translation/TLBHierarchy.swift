/// A TLB hierarchy built from a `TLBSpec`: set-associative arrays with true LRU replacement,
/// entries tagged with an ASID/PCID and a global bit, single-page invalidation and full flushes.
///
/// All arrays share one flat entry pool; a lookup probes the tier-1 level that serves the access
/// (instruction or data), then the tier-2 level. An array holding several page sizes (Skylake's
/// STLB) is probed once per size, with each size's own set index. A page larger than every size a
/// level holds is cached there as a piece of the largest size it does hold ("splintering").
///
///     var tlb = TLBHierarchy(spec: .skylake, basePageShift: 12)
///     tlb.lookup(0x40_1234, kind: .load, asid: 0)         // nil: cold
///     tlb.fill(...)                                        // after the walk
/// - Complexity: a lookup is O(ways × sizes) per level probed.
public struct TLBHierarchy: Sendable {
    @usableFromInline struct Entry: Sendable {
        /// `vpn << 6 | pageShift`, or `invalidTag`.
        @usableFromInline var tag: UInt64
        /// The physical address of the page's first byte.
        @usableFromInline var frame: UInt64
        @usableFromInline var stamp: UInt64
        @usableFromInline var asid: UInt16
        @usableFromInline var permissions: PagePermissions
        @usableFromInline init(tag: UInt64, frame: UInt64, stamp: UInt64, asid: UInt16, permissions: PagePermissions) {
            self.tag = tag
            self.frame = frame
            self.stamp = stamp
            self.asid = asid
            self.permissions = permissions
        }
    }

    @usableFromInline struct ArrayInfo: Sendable {
        @usableFromInline var base: Int
        @usableFromInline var ways: Int
        @usableFromInline var setMask: UInt64
        /// Bit s set when the array holds 2^s-byte pages.
        @usableFromInline var shifts: UInt64
        @usableFromInline var valid: Int
        @usableFromInline var hits: UInt64
    }

    @usableFromInline struct LevelInfo: Sendable {
        @usableFromInline var firstArray: Int
        @usableFromInline var arrayCount: Int
        /// Lookups that missed every array; the hits are the arrays' (one counter written per lookup).
        @usableFromInline var misses: UInt64
    }

    @usableFromInline static let invalidTag = UInt64.max

    /// The shape the hierarchy was built from.
    public let spec: TLBSpec
    @usableFromInline var pool: ContiguousArray<Entry>
    @usableFromInline var arrays: ContiguousArray<ArrayInfo>
    @usableFromInline var levels: ContiguousArray<LevelInfo>
    /// Level index per (tier, kind): [tier1 data, tier1 instruction, tier2 data, tier2 instruction], -1 if none.
    @usableFromInline var path: (Int, Int, Int, Int)
    @usableFromInline var clock: UInt64 = 0

    /// A cold hierarchy. Arrays with no page size named hold `basePageShift` pages.
    /// - Complexity: O(entries) to allocate the arrays.
    public init(spec: TLBSpec, basePageShift: UInt8) {
        self.spec = spec
        pool = []
        arrays = []
        levels = []
        var p = (-1, -1, -1, -1)
        for (i, level) in spec.levels.enumerated() {
            levels.append(LevelInfo(firstArray: arrays.count, arrayCount: level.arrays.count, misses: 0))
            for a in level.arrays {
                var shifts: UInt64 = 0
                for s in (a.pageShifts.isEmpty ? [basePageShift] : a.pageShifts) { shifts |= UInt64(1) << UInt64(s) }
                arrays.append(ArrayInfo(base: pool.count, ways: a.ways, setMask: UInt64(a.sets - 1), shifts: shifts, valid: 0, hits: 0))
                pool.append(contentsOf: repeatElement(Entry(tag: Self.invalidTag, frame: 0, stamp: 0, asid: 0, permissions: []), count: a.entries))
            }
            if level.serves.serves(.load) { if level.tier == 1 { p.0 = i } else { p.2 = i } }
            if level.serves.serves(.instruction) { if level.tier == 1 { p.1 = i } else { p.3 = i } }
        }
        path = p
    }

    /// The level that serves `kind` at `tier` (1 or 2), or -1.
    @inlinable func level(tier: Int, _ kind: AccessKind) -> Int {
        let instruction = kind == .instruction
        if tier == 1 { return instruction ? path.1 : path.0 }
        return instruction ? path.3 : path.2
    }

    /// Where a hit was found, for a later permission update.
    public struct Hit: Hashable, Sendable {
        /// The tier of the level that hit (1 or 2).
        public var tier: Int
        @usableFromInline var slot: Int
        /// The physical address of the page's first byte.
        public var physical: UInt64
        /// log2 of the size of the page cached.
        public var pageShift: UInt8
        /// What the cached translation allows.
        public var permissions: PagePermissions
        @inlinable init(tier: Int, slot: Int, physical: UInt64, pageShift: UInt8, permissions: PagePermissions) {
            self.tier = tier
            self.slot = slot
            self.physical = physical
            self.pageShift = pageShift
            self.permissions = permissions
        }
    }

    /// Looks `address` up in the tier-`tier` level serving `kind`, for `asid` (global entries match
    /// every ASID), and marks the entry most recently used.
    /// - Complexity: O(ways × page sizes) of that level.
    @inlinable @inline(__always)
    public mutating func lookup(_ address: UInt64, kind: AccessKind, asid: UInt16, tier: Int) -> Hit? {
        let li = level(tier: tier, kind)
        if li < 0 { return nil }
        let info = levels[li]
        let found: Hit? = arrays.withUnsafeMutableBufferPointer { arrays in
            pool.withUnsafeMutableBufferPointer { pool in
                var a = info.firstArray
                let end = a &+ info.arrayCount
                while a < end {
                    let base = arrays[a].base, ways = arrays[a].ways, setMask = arrays[a].setMask
                    var shifts = arrays[a].valid != 0 ? arrays[a].shifts : 0
                    while shifts != 0 {
                        let s = UInt64(shifts.trailingZeroBitCount)
                        shifts &= shifts &- 1
                        let vpn = address >> s
                        let tag = vpn << 6 | s
                        var slot = base &+ Int(truncatingIfNeeded: vpn & setMask) &* ways
                        let setEnd = slot &+ ways
                        while slot < setEnd {
                            if pool[slot].tag == tag && (pool[slot].asid == asid || pool[slot].permissions.rawValue & PagePermissions.global.rawValue != 0) {
                                clock &+= 1
                                pool[slot].stamp = clock
                                arrays[a].hits &+= 1
                                return Hit(tier: tier, slot: slot, physical: pool[slot].frame | (address & ((1 << s) &- 1)),
                                           pageShift: UInt8(truncatingIfNeeded: s), permissions: pool[slot].permissions)
                            }
                            slot &+= 1
                        }
                    }
                    a &+= 1
                }
                return nil
            }
        }
        if found == nil { levels[li].misses &+= 1 }
        return found
    }

    /// Inserts the translation of `address` (a `pageShift` page at `physical`) into the tier-`tier`
    /// level serving `kind`, evicting the set's least recently used entry. A page larger than the
    /// level holds is inserted as a piece of the largest size it does hold; a page smaller than
    /// every size it holds is not cached there.
    /// - Complexity: O(ways).
    @inlinable
    public mutating func fill(_ address: UInt64, physical: UInt64, pageShift: UInt8, permissions: PagePermissions,
                              kind: AccessKind, asid: UInt16, tier: Int) {
        let li = level(tier: tier, kind)
        if li < 0 { return }
        let info = levels[li]
        // The array holding the largest size not above the page's.
        var best = -1
        var bestShift: UInt64 = 0
        for a in info.firstArray..<(info.firstArray + info.arrayCount) {
            let fitting = arrays[a].shifts & ((UInt64(2) << UInt64(pageShift)) &- 1)
            if fitting == 0 { continue }
            let s = UInt64(63 - fitting.leadingZeroBitCount)
            if best < 0 || s > bestShift { best = a; bestShift = s }
        }
        if best < 0 { return }
        let array = arrays[best]
        let vpn = address >> bestShift
        let tag = vpn << 6 | bestShift
        let first = array.base &+ Int(truncatingIfNeeded: vpn & array.setMask) &* array.ways
        var victim = first
        var oldest = UInt64.max
        for slot in first..<(first &+ array.ways) {
            let e = pool[slot]
            if e.tag == tag && e.asid == asid { victim = slot; oldest = 0; break }
            if e.tag == Self.invalidTag { if oldest != 0 { victim = slot; oldest = 0 } ; continue }
            if e.stamp < oldest { victim = slot; oldest = e.stamp }
        }
        if pool[victim].tag == Self.invalidTag { arrays[best].valid &+= 1 }
        clock &+= 1
        let mask = (UInt64(1) << bestShift) &- 1
        pool[victim] = Entry(tag: tag, frame: (physical & ~mask), stamp: clock, asid: asid, permissions: permissions)
    }

    /// Invalidates every entry translating `address` for `asid` and every global one (INVLPG,
    /// RISC-V `sfence.vma addr`), in all levels and at every page size.
    /// - Complexity: O(total ways × sizes).
    public mutating func invalidate(_ address: UInt64, asid: UInt16) {
        for a in arrays.indices {
            let array = arrays[a]
            var shifts = array.shifts
            while shifts != 0 {
                let s = UInt64(shifts.trailingZeroBitCount)
                shifts &= shifts - 1
                let vpn = address >> s
                let tag = vpn << 6 | s
                let first = array.base + Int(vpn & array.setMask) * array.ways
                for slot in first..<(first + array.ways) where pool[slot].tag == tag
                    && (pool[slot].asid == asid || pool[slot].permissions.contains(.global)) {
                    pool[slot].tag = Self.invalidTag
                    arrays[a].valid -= 1
                }
            }
        }
    }

    /// Flushes every entry, or every non-global one (a CR3 write without PCID keeps global pages).
    /// - Complexity: O(entries).
    public mutating func flush(keepGlobal: Bool) {
        invalidate { keepGlobal ? !$0.permissions.contains(.global) : true }
    }

    /// Flushes the non-global entries tagged `asid` (INVPCID single-context, a CR3 write of that
    /// PCID without the no-flush bit; RISC-V `sfence.vma x0, asid`).
    /// - Complexity: O(entries).
    public mutating func flush(asid: UInt16) {
        invalidate { $0.asid == asid && !$0.permissions.contains(.global) }
    }

    /// Invalidates every valid entry `dropped` selects, keeping each array's count of valid entries.
    mutating func invalidate(where dropped: (Entry) -> Bool) {
        for a in arrays.indices {
            let array = arrays[a]
            var valid = 0
            let count = (Int(array.setMask) + 1) * array.ways
            for slot in array.base..<(array.base + count) where pool[slot].tag != Self.invalidTag {
                if dropped(pool[slot]) { pool[slot].tag = Self.invalidTag } else { valid += 1 }
            }
            arrays[a].valid = valid
        }
    }

    /// Counts per level and per array.
    /// - Complexity: O(levels + arrays).
    public var stats: [TLBLevelStats] {
        spec.levels.enumerated().map { i, level in
            let info = levels[i]
            let hits = (info.firstArray..<(info.firstArray + info.arrayCount)).reduce(UInt64(0)) { $0 + arrays[$1].hits }
            return TLBLevelStats(name: level.name, lookups: hits + info.misses, hits: hits,
                                 arrays: level.arrays.enumerated().map { j, a in
                                     TLBArrayStats(sizes: a.pageShifts.map { PageSize(shift: $0) }, entries: a.entries, ways: a.ways,
                                                   hits: arrays[info.firstArray + j].hits)
                                 })
        }
    }
}

/// Counts of one TLB level.
public struct TLBLevelStats: Hashable, Sendable {
    /// The level's name (`l1d`, `l2`, ...).
    public var name: String
    /// Lookups that reached the level.
    public var lookups: UInt64
    /// Lookups that hit in one of its arrays.
    public var hits: UInt64
    /// `lookups - hits`.
    public var misses: UInt64 { lookups - hits }
    /// Counts per array.
    public var arrays: [TLBArrayStats]
    /// misses / lookups (0 with no lookups).
    public var missRatio: Double { lookups == 0 ? 0 : Double(misses) / Double(lookups) }
}

/// Counts of one array of a TLB level.
public struct TLBArrayStats: Hashable, Sendable {
    /// The page sizes the array holds (empty: the base page).
    public var sizes: [PageSize]
    /// Its entries.
    public var entries: Int
    /// Its associativity.
    public var ways: Int
    /// Lookups that hit in it.
    public var hits: UInt64
}
