/// What a page frame is doing, kept on the first page of each block (the kernel's PageBuddy flag,
/// membership of a pcp list, or an allocated compound head). Every other page of a block is `tail`.
@usableFromInline
enum PageState: UInt8, Sendable {
    /// Inside a larger block (free, on a pcp list or allocated); not the block's first page.
    case tail = 0
    /// The first page of a free block on `free_area[order].free_list[list]` (PageBuddy).
    case buddy = 1
    /// The first page of a block on a per-CPU list; `list` is its pcp list index.
    case pcp = 2
    /// The first page of an allocated block of `order` pages.
    case allocated = 3
}

/// The part of `struct page` that the allocators use. 12 bytes, one per page frame.
@usableFromInline
struct PageFrame: IndexLinked, Sendable {
    /// `buddy_list` / `pcp_list` links, as pfns (-1 ends a list).
    @usableFromInline var next: Int32 = -1
    @usableFromInline var prev: Int32 = -1
    /// The block's order (`buddy_order()` or the allocation order).
    @usableFromInline var order: UInt8 = 0
    @usableFromInline var state: PageState = .tail
    /// The free list's migrate type (buddy) or the pcp list index (pcp).
    @usableFromInline var list: UInt8 = 0
    /// The migrate type the allocation asked for (allocated heads): movable pages count as
    /// "movable" when a fallback decides whether to claim a pageblock.
    @usableFromInline var allocType: UInt8 = 0

    @inline(__always)
    init(order: UInt8 = 0, state: PageState = .tail, list: UInt8 = 0, allocType: UInt8 = 0) {
        self.order = order
        self.state = state
        self.list = list
        self.allocType = allocType
    }
}

/// Event counters of the physical allocators, named after /proc/vmstat where the kernel has a
/// counter for the event.
public struct PhysicalStats: Hashable, Sendable {
    /// `pgalloc_<zone>`: pages allocated from each zone, indexed by `ZoneType.rawValue`.
    public var pgalloc = [Int](repeating: 0, count: ZoneType.count)
    /// `pgfree`: pages freed (boot memory included, as in the kernel).
    public var pgfree = 0
    /// Successful `alloc_pages` calls and failed ones.
    public var allocations = 0
    /// Failed `alloc_pages` calls.
    public var allocationFailures = 0
    /// Allocations that had to take a block from another migrate type's lists
    /// (the `mm_page_alloc_extfrag` tracepoint), and how many of those claimed the whole pageblock.
    public var fallbacks = 0
    /// Fallbacks that claimed the whole pageblock.
    public var fallbackClaims = 0
    /// Per-CPU refills from the buddy lists (`rmqueue_bulk`) and drains back (`free_pcppages_bulk`).
    public var pcpRefills = 0
    /// Per-CPU drains back to the buddy lists.
    public var pcpDrains = 0
    /// Zero counts.
    public init() {}
}

/// The outcome of `PhysicalMemory.allocate`: the block, if any, and what the caller must do next.
/// The allocator decides nothing beyond its own lists; the kernel (or a script) acts on the advice.
public struct PageAllocation: Hashable, Sendable {
    /// What `__alloc_pages_slowpath()` would do next.
    public enum Advice: Hashable, Sendable {
        /// Allocated above the low watermark: nothing to do.
        case none
        /// Allocated, but only below the low watermark: wake kswapd (`wake_all_kswapds()`).
        case wakeKswapd
        /// Not allocated: nothing above min, even with the per-CPU lists drained. Reclaim
        /// directly and retry (`__alloc_pages_direct_reclaim()`), or declare out of memory.
        case reclaim
        /// Not allocated, and no reclaim would help: the order is above MAX_PAGE_ORDER, the CPU
        /// or migrate type is out of range, or no zone can serve it.
        case impossible
    }

    /// The first pfn of the block, or `nil`.
    public var pfn: Int?
    /// What the caller must do next.
    public var advice: Advice

    /// An outcome: the block at `pfn` (or none) and the advice.
    public init(pfn: Int?, advice: Advice) {
        self.pfn = pfn
        self.advice = advice
    }
}

/// Why an allocation failed: the first zone's state when no zone could satisfy it.
public struct AllocationFailure: Hashable, Sendable, CustomStringConvertible {
    /// The order asked for.
    public var order: Int
    /// The migrate type asked for.
    public var migratetype: MigrateType
    /// Per zone tried, in zonelist order: the zone, its free pages, the watermark and the
    /// lowmem reserve that applied, and whether a block of a suitable order was free.
    public struct ZoneState: Hashable, Sendable {
        /// The zone.
        public var zone: ZoneType
        /// Its free pages.
        public var free: Int
        /// The watermark the request was checked against, in pages.
        public var watermark: Int
        /// Its name: `min`, `low` or `high`.
        public var watermarkName: String
        /// The lowmem reserve that applied, in pages.
        public var reserve: Int
        /// Whether a free block of the order or above was on its lists.
        public var hasSuitableBlock: Bool
    }
    /// The zones tried, in zonelist order.
    public var zones: [ZoneState]

    /// The kernel's failure line: `page allocation failure: order:O, migratetype:T; ZONE: why`.
    /// - Complexity: O(zones).
    public var description: String {
        var parts: [String] = []
        for z in zones {
            let wmarkFails = z.free - ((1 << order) - 1) <= z.watermark + z.reserve
            if wmarkFails {
                let extra = order > 0 ? " + \((1 << order) - 1) for order \(order)" : ""
                parts.append("\(z.zone): free \(z.free) pages <= \(z.watermarkName) \(z.watermark) + protection \(z.reserve)\(extra)")
            } else if !z.hasSuitableBlock {
                parts.append("\(z.zone): no free block of order >= \(order) (free \(z.free) pages)")
            } else {
                parts.append("\(z.zone): free \(z.free) pages")
            }
        }
        if parts.isEmpty { parts.append("no populated zone can serve the request") }
        return "page allocation failure: order:\(order), migratetype:\(migratetype.kernelName); " + parts.joined(separator: "; ")
    }
}

/// One NUMA node's physical memory (`pg_data_t`): its zones, each with a buddy allocator
/// (`free_area[order].free_list[migratetype]` and `nr_free`), pageblock migrate types and per-CPU
/// page lists, as mm/page_alloc.c manages them.
///
///     var mem = PhysicalMemory(PhysicalMemoryConfig.normal(pages: 65536))
///     if let pfn = mem.allocPages(order: 3) {  // an order-3 block, or nil
///         mem.freePages(pfn: pfn)
///     }
///
/// Page state lives in flat `ContiguousArray`s of small structs with lists linked by pfn, so
/// every operation is O(MAX_PAGE_ORDER) apart from pageblock claims, which scan one pageblock.
public struct PhysicalMemory: Sendable {
    /// `MAX_PAGE_ORDER`.
    public let maxOrder: Int
    /// `pageblock_order`: min(9, MAX_PAGE_ORDER).
    public let pageblockOrder: Int
    /// The CPU count.
    public let cpus: Int
    /// Whether per-CPU page lists are in use.
    public let pcpEnabled: Bool
    /// `vm.min_free_kbytes` now in force, and whether the user set it.
    public internal(set) var minFreeKbytes: Int
    public internal(set) var userMinFreeKbytes: Bool
    /// `vm.watermark_scale_factor`.
    public internal(set) var watermarkScaleFactor: Int
    /// The populated zones, in ascending `ZoneType` order.
    public internal(set) var zones: [Zone]
    /// Event counters.
    /// - Complexity: O(zones).
    public var stats: PhysicalStats {
        var s = counters
        for z in zones { s.pgalloc[z.type.rawValue] = z.pgalloc }
        return s
    }
    /// The counters as the allocator updates them (`pgalloc` lives in the zones).
    var counters = PhysicalStats()
    /// Pages handed out and not yet freed (slab pages included).
    public internal(set) var allocatedPages = 0
    /// Why the last failed allocation failed.
    public internal(set) var lastFailure: AllocationFailure?

    @usableFromInline var pages: ContiguousArray<PageFrame>
    /// Free lists (zone by zone, order by order, `MigrateType.count` each), then pcp lists, each
    /// linked by pfn through `pages` (`list_head` plus a counter).
    @usableFromInline var lists: ContiguousArray<IndexList>
    /// `free_area[order].nr_free`, zone by zone.
    @usableFromInline var nrFree: ContiguousArray<Int32>
    /// The migrate type of each pageblock (pfn >> pageblock_order).
    @usableFromInline var pageblockType: ContiguousArray<UInt8>
    /// `per_cpu_pages`, zone by zone, CPU by CPU.
    @usableFromInline var pcp: ContiguousArray<PerCPUPages>
    /// The zone slot of each `ZoneType` (-1 when not populated).
    let slotOfType: [Int]
    /// The zonelist for each highest zone index is every populated zone of that type or lower,
    /// highest first: slots `topSlot(highest)` down to 0, since slots follow zone types.
    @inline(__always)
    func topSlot(_ highest: Int) -> Int {
        var top = zones.count - 1
        while top >= 0 && zones[top].type.rawValue > highest { top -= 1 }
        return top
    }

    /// The number of orders (`NR_PAGE_ORDERS`).
    public var orders: Int { maxOrder + 1 }
    /// Pages in the node.
    public var totalPages: Int { pages.count }

    /// Builds the node and frees all its memory to the buddy allocator as the kernel does at boot
    /// (`memblock_free_all()`): zone by zone in ascending pfn order, in the largest aligned chunks,
    /// each to the tail of its free list (`FPI_TO_TAIL`), every pageblock `MIGRATE_MOVABLE`.
    /// The configuration must be valid (`config.problem == nil`).
    /// - Complexity: O(pages).
    public init(_ config: PhysicalMemoryConfig) {
        precondition(config.problem == nil, config.problem ?? "")
        maxOrder = config.maxOrder
        pageblockOrder = Swift.min(9, config.maxOrder)
        cpus = config.cpus
        pcpEnabled = config.pcpEnabled
        watermarkScaleFactor = config.watermarkScaleFactor
        userMinFreeKbytes = config.minFreeKbytes != nil
        let orders = config.maxOrder + 1
        let total = config.zones.reduce(0) { $0 + $1.pages }
        pages = ContiguousArray(repeating: PageFrame(), count: total)
        let blocks = (total + (1 << pageblockOrder) - 1) >> pageblockOrder
        pageblockType = ContiguousArray(repeating: MigrateType.movable.rawValue, count: blocks)

        var zones: [Zone] = []
        var slots = [Int](repeating: -1, count: ZoneType.count)
        var start = 0
        var listCount = 0
        for (i, spec) in config.zones.enumerated() {
            slots[spec.type.rawValue] = i
            zones.append(Zone(type: spec.type, startPfn: start, spanned: spec.pages,
                              watermarks: .init(min: 0, low: 0, high: 0, promo: 0), nrFreePages: 0,
                              batch: 1, highMin: 0, highMax: 0,
                              freeListBase: listCount, pcpBase: i * config.cpus))
            listCount += orders * MigrateType.count
            start += spec.pages
        }
        let pcpListBase = listCount
        listCount += zones.count * config.cpus * PerCPUPages.listCount
        lists = ContiguousArray(repeating: IndexList(), count: listCount)
        nrFree = ContiguousArray(repeating: 0, count: zones.count * orders)
        pcp = ContiguousArray()
        for z in zones.indices {
            for c in 0..<config.cpus {
                pcp.append(PerCPUPages(listBase: pcpListBase + (z * config.cpus + c) * PerCPUPages.listCount))
            }
        }
        slotOfType = slots
        self.zones = zones
        minFreeKbytes = 0

        // memblock_free_all(): free every zone's pages in the largest aligned chunks.
        for z in zones.indices {
            for i in zones[z].startPfn..<zones[z].endPfn { pages[i].list = 0 }
            var pfn = zones[z].startPfn
            let end = zones[z].endPfn
            while pfn < end {
                var order = pfn == 0 ? maxOrder : Swift.min(maxOrder, pfn.trailingZeroBitCount)
                while pfn + (1 << order) > end { order -= 1 }
                freeOneBlock(slot: z, pfn: pfn, order: order, toTail: true)
                pfn += 1 << order
            }
        }
        // init_per_zone_wmark_min(): min_free_kbytes from the lowmem size, then the watermarks,
        // the lowmem reserves and the pcp high/batch that depend on them.
        setupWatermarks(minFreeKbytes: config.minFreeKbytes)
    }

    // MARK: - Lists

    // The list primitives work on raw buffers: one uniqueness check per call instead of one per
    // link written. Indices come from the allocator's own lists, which the invariant checker
    // verifies stay inside the arrays.

    /// `list_add()`: `pfn` goes to the head of list `li`.
    /// - Complexity: O(1).
    @inline(__always)
    static func listAddHead(_ pages: inout ContiguousArray<PageFrame>, _ lists: inout ContiguousArray<IndexList>,
                            _ li: Int, _ pfn: Int) {
        pages.withUnsafeMutableBufferPointer { pg in
            lists.withUnsafeMutableBufferPointer { ls in pg.pushHead(Int32(truncatingIfNeeded: pfn), &ls[li]) }
        }
    }

    /// `list_add_tail()`: `pfn` goes to the tail of list `li`.
    /// - Complexity: O(1).
    @inline(__always)
    static func listAddTail(_ pages: inout ContiguousArray<PageFrame>, _ lists: inout ContiguousArray<IndexList>,
                            _ li: Int, _ pfn: Int) {
        pages.withUnsafeMutableBufferPointer { pg in
            lists.withUnsafeMutableBufferPointer { ls in pg.pushTail(Int32(truncatingIfNeeded: pfn), &ls[li]) }
        }
    }

    /// `list_del()`: `pfn` leaves list `li`.
    /// - Complexity: O(1).
    @inline(__always)
    static func listDel(_ pages: inout ContiguousArray<PageFrame>, _ lists: inout ContiguousArray<IndexList>,
                        _ li: Int, _ pfn: Int) {
        pages.withUnsafeMutableBufferPointer { pg in
            lists.withUnsafeMutableBufferPointer { ls in pg.remove(Int32(truncatingIfNeeded: pfn), &ls[li]) }
        }
    }

    /// The list index of `zone->free_area[order].free_list[mt]`.
    @inline(__always)
    func freeList(_ slot: Int, _ order: Int, _ mt: Int) -> Int {
        zones[slot].freeListBase + order * MigrateType.count + mt
    }

    /// The pageblock migrate type of `pfn` (`get_pfnblock_migratetype()`).
    @inline(__always)
    func pageblockMigratetype(_ pfn: Int) -> Int {
        Int(pageblockType[pfn >> pageblockOrder])
    }

    /// `change_pageblock_range()`: sets the migrate type of every pageblock in the block.
    mutating func changePageblockRange(_ pfn: Int, order: Int, to mt: Int) {
        let first = pfn >> pageblockOrder
        let count = order >= pageblockOrder ? 1 << (order - pageblockOrder) : 1
        for b in first..<Swift.min(first + count, pageblockType.count) { pageblockType[b] = UInt8(mt) }
    }

    /// `__add_to_free_list()` plus `set_buddy_order()`: the block becomes a free buddy of `order`.
    @inline(__always)
    mutating func addToFreeList(slot: Int, pfn: Int, order: Int, mt: Int, tail: Bool) {
        let li = freeList(slot, order, mt)
        pages[pfn].state = .buddy
        pages[pfn].order = UInt8(order)
        pages[pfn].list = UInt8(mt)
        if tail { Self.listAddTail(&pages, &lists, li, pfn) } else { Self.listAddHead(&pages, &lists, li, pfn) }
        nrFree[slot * orders + order] &+= 1
    }

    /// `__del_page_from_free_list()`: takes a free block off its list; it stops being a buddy.
    @inline(__always)
    mutating func delFromFreeList(slot: Int, pfn: Int, order: Int) {
        let li = freeList(slot, order, Int(pages[pfn].list))
        Self.listDel(&pages, &lists, li, pfn)
        pages[pfn].state = .tail
        nrFree[slot * orders + order] &-= 1
    }

    /// Whether `pfn` heads a free block of exactly `order` inside zone `slot` (`page_is_buddy()`).
    @inline(__always)
    func isBuddy(slot: Int, pfn: Int, order: Int) -> Bool {
        pfn >= zones[slot].startPfn && pfn < zones[slot].endPfn
            && pages[pfn].state == .buddy && Int(pages[pfn].order) == order
    }

    // MARK: - Allocation from the free lists

    /// `expand()`: splits a block of order `high` down to `low`, giving each upper half to the HEAD
    /// of `free_area[high].free_list[mt]`; the caller keeps the lowest-addressed part.
    /// - Complexity: O(high - low).
    @inline(__always)
    mutating func expand(slot: Int, pfn: Int, low: Int, high: Int, mt: Int) {
        var high = high
        while high > low {
            high -= 1
            addToFreeList(slot: slot, pfn: pfn + (1 << high), order: high, mt: mt, tail: false)
        }
    }

    /// `page_del_and_expand()`: takes the free block at `pfn` (order `high`) and keeps `1 << low`
    /// pages of it for the caller.
    @inline(__always)
    mutating func delAndExpand(slot: Int, pfn: Int, low: Int, high: Int, mt: Int) {
        delFromFreeList(slot: slot, pfn: pfn, order: high)
        expand(slot: slot, pfn: pfn, low: low, high: high, mt: mt)
        zones[slot].nrFreePages -= 1 << low
    }

    /// `__rmqueue_smallest()`: the head of the first non-empty `free_list[mt]` from `order` up,
    /// split down to `order`. Returns the pfn or -1.
    /// - Complexity: O(MAX_PAGE_ORDER).
    @inline(__always)
    mutating func rmqueueSmallest(slot: Int, order: Int, mt: Int) -> Int {
        var current = order
        while current <= maxOrder {
            let head = lists[freeList(slot, current, mt)].head
            if head >= 0 {
                let pfn = Int(head)
                delAndExpand(slot: slot, pfn: pfn, low: order, high: current, mt: mt)
                return pfn
            }
            current += 1
        }
        return -1
    }

    /// `__rmqueue()`: the type's own lists, then a fallback to another type's.
    /// - Complexity: O(MAX_PAGE_ORDER), or O(pageblock) when a pageblock is claimed.
    mutating func rmqueue(slot: Int, order: Int, mt: Int, noFragment: Bool) -> Int {
        let pfn = rmqueueSmallest(slot: slot, order: order, mt: mt)
        if pfn >= 0 { return pfn }
        return rmqueueFallback(slot: slot, order: order, startType: mt, noFragment: noFragment)
    }

    /// `can_steal_fallback()`: may an allocation of `startType` falling back at `order` take the
    /// whole pageblock?
    func canStealFallback(order: Int, startType: Int) -> Bool {
        order >= pageblockOrder || order >= pageblockOrder / 2
            || startType == Int(MigrateType.reclaimable.rawValue) || startType == Int(MigrateType.unmovable.rawValue)
    }

    /// `find_suitable_fallback()`: the first of `fallbacks[startType]` with a free block of
    /// `order`, and whether the allocation may steal its whole pageblock.
    func findSuitableFallback(slot: Int, order: Int, startType: Int) -> (mt: Int, canSteal: Bool)? {
        if nrFree[slot * orders + order] == 0 { return nil }
        let (a, b) = MigrateType(rawValue: UInt8(startType))!.fallbacks
        for candidate in [Int(a.rawValue), Int(b.rawValue)] where lists[freeList(slot, order, candidate)].count > 0 {
            return (candidate, canStealFallback(order: order, startType: startType))
        }
        return nil
    }

    /// `__rmqueue_fallback()`: find the largest free block of a fallback type (down to
    /// pageblock_order when avoiding fragmentation, `ALLOC_NOFRAGMENT`), or the smallest one when a
    /// movable allocation cannot steal the block, and take it with `steal_suitable_fallback()`.
    /// - Complexity: O(MAX_PAGE_ORDER + pageblock).
    mutating func rmqueueFallback(slot: Int, order: Int, startType: Int, noFragment: Bool) -> Int {
        let minOrder = (order < pageblockOrder && noFragment) ? pageblockOrder : order
        var current = maxOrder
        var found: (mt: Int, canSteal: Bool)?
        while current >= minOrder {
            if let f = findSuitableFallback(slot: slot, order: current, startType: startType) {
                found = f
                break
            }
            current -= 1
        }
        guard var choice = found else { return -1 }
        if !choice.canSteal && startType == Int(MigrateType.movable.rawValue) && current > order {
            // find_smallest: steal and split the smallest block instead.
            current = order
            while current <= maxOrder {
                if let f = findSuitableFallback(slot: slot, order: current, startType: startType) {
                    choice = f
                    break
                }
                current += 1
            }
        }
        let pfn = Int(lists[freeList(slot, current, choice.mt)].head)
        counters.fallbacks += 1
        return stealSuitableFallback(slot: slot, pfn: pfn, currentOrder: current, order: order,
                                     startType: startType, wholeBlock: choice.canSteal)
    }

    /// `steal_suitable_fallback()`: a block of order >= pageblock_order changes owner outright;
    /// otherwise, when allowed, the pageblock is claimed if at least half of it is free or
    /// compatible (all its free blocks move to `startType`'s lists), and else only the block is
    /// taken and its remainder stays on the lists of its own pageblock type.
    /// - Complexity: O(pageblock).
    mutating func stealSuitableFallback(slot: Int, pfn: Int, currentOrder: Int, order: Int,
                                        startType: Int, wholeBlock: Bool) -> Int {
        let blockType = pageblockMigratetype(pfn)
        if currentOrder >= pageblockOrder {
            delFromFreeList(slot: slot, pfn: pfn, order: currentOrder)
            changePageblockRange(pfn, order: currentOrder, to: startType)
            expand(slot: slot, pfn: pfn, low: order, high: currentOrder, mt: startType)
            zones[slot].nrFreePages -= 1 << order
            counters.fallbackClaims += 1
            return pfn
        }
        if wholeBlock, let (start, free, movable) = prepMoveFreepagesBlock(slot: slot, pfn: pfn) {
            let alike: Int
            if startType == Int(MigrateType.movable.rawValue) {
                alike = movable
            } else if blockType == Int(MigrateType.movable.rawValue) {
                alike = (1 << pageblockOrder) - (free + movable)
            } else {
                alike = 0
            }
            if free + alike >= 1 << (pageblockOrder - 1) {
                moveFreepagesBlock(slot: slot, start: start, from: blockType, to: startType)
                counters.fallbackClaims += 1
                return rmqueueSmallest(slot: slot, order: order, mt: startType)
            }
        }
        delAndExpand(slot: slot, pfn: pfn, low: order, high: currentOrder, mt: blockType)
        return pfn
    }

    /// `prep_move_freepages_block()`: the pageblock's first pfn, its free pages and its movable
    /// pages (allocated as movable); `nil` when the pageblock straddles the zone's edge.
    /// - Complexity: O(pageblock).
    func prepMoveFreepagesBlock(slot: Int, pfn: Int) -> (start: Int, free: Int, movable: Int)? {
        let start = pfn & ~((1 << pageblockOrder) - 1)
        let end = start + (1 << pageblockOrder)
        guard start >= zones[slot].startPfn, end - 1 < zones[slot].endPfn else { return nil }
        var free = 0, movable = 0
        var p = start
        while p < end {
            let page = pages[p]
            let size = page.state == .tail ? 1 : 1 << Int(page.order)
            switch page.state {
            case .buddy: free += size
            case .allocated where page.allocType == MigrateType.movable.rawValue: movable += size
            default: break
            }
            p += size
        }
        return (start, free, movable)
    }

    /// `__move_freepages_block()`: moves every free block of the pageblock at `start` to the tail
    /// of `to`'s lists (`move_to_free_list()`) and sets the pageblock's type.
    /// - Complexity: O(pageblock).
    mutating func moveFreepagesBlock(slot: Int, start: Int, from: Int, to: Int) {
        let end = start + (1 << pageblockOrder)
        var p = start
        while p < end {
            if pages[p].state == .buddy {
                let order = Int(pages[p].order)
                Self.listDel(&pages, &lists, freeList(slot, order, Int(pages[p].list)), p)
                pages[p].list = UInt8(to)
                Self.listAddTail(&pages, &lists, freeList(slot, order, to), p)
                p += 1 << order
            } else {
                p += pages[p].state == .tail ? 1 : 1 << Int(pages[p].order)
            }
        }
        pageblockType[start >> pageblockOrder] = UInt8(to)
    }

    // MARK: - Freeing to the free lists

    /// `buddy_merge_likely()`: whether the block just built at `pfn` (order `order`, whose last
    /// buddy was `buddyPfn`) has a free buddy one order up, so that it should wait at the tail.
    @inline(__always)
    func buddyMergeLikely(slot: Int, pfn: Int, buddyPfn: Int, order: Int) -> Bool {
        if order >= maxOrder - 1 { return false }
        let higher = buddyPfn & pfn
        let higherBuddy = higher ^ (1 << (order + 1))
        return isBuddy(slot: slot, pfn: higherBuddy, order: order + 1)
    }

    /// `__free_one_page()`: merges the freed block with its free buddy (`pfn ^ (1 << order)`) while
    /// one of exactly that order is free in the zone, then puts it at the HEAD of its list, or the
    /// TAIL when `toTail` (`FPI_TO_TAIL`) or `buddy_merge_likely()`.
    /// - Complexity: O(MAX_PAGE_ORDER).
    mutating func freeOnePage(slot: Int, pfn: Int, order: Int, mt: Int, toTail: Bool) {
        var pfn = pfn
        var order = order
        var buddyPfn = 0
        zones[slot].nrFreePages += 1 << order
        while order < maxOrder {
            // find_buddy_page_pfn() reports the buddy's pfn even when it is not free.
            buddyPfn = pfn ^ (1 << order)
            guard isBuddy(slot: slot, pfn: buddyPfn, order: order) else { break }
            var buddyType = mt
            if order >= pageblockOrder {
                buddyType = pageblockMigratetype(buddyPfn)
                // migratetype_is_mergeable(): only the three allocation types merge across blocks.
                if buddyType != mt && (mt >= MigrateType.pcpTypes || buddyType >= MigrateType.pcpTypes) { break }
            }
            delFromFreeList(slot: slot, pfn: buddyPfn, order: order)
            if buddyType != mt {
                // Match buddy type, so that a later expand() puts the halves on the right lists.
                changePageblockRange(buddyPfn, order: order, to: mt)
            }
            pfn &= buddyPfn
            order += 1
        }
        let tail = toTail || buddyMergeLikely(slot: slot, pfn: pfn, buddyPfn: buddyPfn, order: order)
        addToFreeList(slot: slot, pfn: pfn, order: order, mt: mt, tail: tail)
    }

    /// `free_one_page()` / `split_large_buddy()`: frees a block straight to the free lists, one
    /// pageblock at a time when it is larger than a pageblock, each with its pageblock's type.
    /// - Complexity: O(MAX_PAGE_ORDER × blocks).
    mutating func freeOneBlock(slot: Int, pfn: Int, order: Int, toTail: Bool) {
        let chunk = Swift.min(order, pageblockOrder)
        var p = pfn
        let end = pfn + (1 << order)
        while p < end {
            freeOnePage(slot: slot, pfn: p, order: chunk, mt: pageblockMigratetype(p), toTail: toTail)
            p += 1 << chunk
        }
        counters.pgfree += 1 << order
    }

    /// The zone slot holding `pfn`.
    @inline(__always)
    func slot(of pfn: Int) -> Int {
        var s = zones.count - 1
        while s > 0 && pfn < zones[s].startPfn { s -= 1 }
        return s
    }
}
