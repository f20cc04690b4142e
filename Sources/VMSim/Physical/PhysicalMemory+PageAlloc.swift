/// The zoned page allocator's entry points: `alloc_pages()` / `__free_pages()` with the zonelist
/// walk, the watermark checks and the per-CPU lists (mm/page_alloc.c).
extension PhysicalMemory {
    /// The highest populated zone at or below Normal: where `GFP_KERNEL` and `GFP_HIGHUSER`
    /// allocations start.
    /// - Complexity: O(1).
    public var defaultZone: ZoneType { zones.last!.type }

    /// Whether a zone of `type` is populated.
    /// - Complexity: O(1).
    public func hasZone(_ type: ZoneType) -> Bool { slotOfType[type.rawValue] >= 0 }

    /// The zone slot (index into `zones`) of `type`, or nil.
    /// - Complexity: O(1).
    public func zoneSlot(_ type: ZoneType) -> Int? {
        let s = slotOfType[type.rawValue]
        return s >= 0 ? s : nil
    }

    /// `setup_per_zone_wmarks()` after `min_free_kbytes` or `watermark_scale_factor` changes:
    /// the watermarks, the lowmem reserves and the per-CPU `high` that follows the low watermark.
    /// `minFreeKbytes` nil recomputes it from the memory size (`calculate_min_free_kbytes()`).
    /// - Complexity: O(zones × cpus).
    public mutating func setupWatermarks(minFreeKbytes value: Int? = nil, scaleFactor: Int? = nil) {
        if let f = scaleFactor { watermarkScaleFactor = f }
        let lowmem = zones.reduce(0) { $0 + $1.managed }
        if let v = value {
            minFreeKbytes = v
            userMinFreeKbytes = true
        } else if !userMinFreeKbytes {
            minFreeKbytes = Watermarks.minFreeKbytes(lowmemPages: lowmem)
        }
        var managedByType = [Int](repeating: 0, count: ZoneType.count)
        for z in zones { managedByType[z.type.rawValue] = z.managed }
        let reserve = Watermarks.lowmemReserve(managed: managedByType)
        for z in zones.indices {
            zones[z].watermarks = Watermarks.levels(managed: zones[z].managed, lowmemPages: lowmem,
                                                    minFreeKbytes: minFreeKbytes, scaleFactor: watermarkScaleFactor)
            zones[z].lowmemReserve = reserve[zones[z].type.rawValue]
        }
        setPagesetHighAndBatch()
    }

    /// `alloc_flags_nofragment()`: on x86-64 an allocation whose preferred zone is Normal first
    /// avoids splitting foreign pageblocks (`ALLOC_NOFRAGMENT`).
    @inline(__always)
    func noFragment(preferredSlot: Int) -> Bool { zones[preferredSlot].type == .normal }

    /// `zone_watermark_fast()` / `__zone_watermark_ok()`: after setting aside `2^order - 1` pages,
    /// the zone must keep more than `mark + lowmem_reserve[highest]` free pages, and for order > 0
    /// hold a free block of at least `order` on one of the allocation types' lists.
    /// - Complexity: O(1) for order 0, else O(MAX_PAGE_ORDER).
    @inline(__always)
    func zoneWatermarkOK(slot: Int, order: Int, mark: Int, highest: Int) -> Bool {
        let reserve = zones[slot].reserve(for: highest)
        let free = zones[slot].nrFreePages
        if order == 0 { return free > mark + reserve }
        if free - ((1 << order) - 1) <= mark + reserve { return false }
        var o = order
        while o <= maxOrder {
            if nrFree[slot * orders + o] > 0 {
                for mt in 0..<MigrateType.pcpTypes where lists[freeList(slot, o, mt)].count > 0 { return true }
            }
            o += 1
        }
        return false
    }

    /// `get_page_from_freelist()`: the first zone of the zonelist that passes its watermark and
    /// has a suitable block, through the per-CPU lists for orders they hold. With
    /// `ALLOC_NOFRAGMENT` the walk is repeated without it before giving up.
    @inline(__always)
    mutating func getPageFromFreelist(order: Int, mt: Int, highest: Int, cpu: Int, mark: Watermarks.Mark,
                                      noFragment: Bool) -> Int {
        var noFragment = noFragment
        let top = topSlot(highest)
        while true {
            var slot = top
            while slot >= 0 {
                defer { slot -= 1 }
                let m = zones[slot].mark(mark)
                if !zoneWatermarkOK(slot: slot, order: order, mark: m, highest: highest) { continue }
                let pfn: Int
                if pcpEnabled && PerCPUPages.allowedOrder(order) {
                    pfn = rmqueuePcplist(slot: slot, cpu: cpu, order: order, mt: mt, noFragment: noFragment)
                } else {
                    pfn = rmqueue(slot: slot, order: order, mt: mt, noFragment: noFragment)
                }
                if pfn >= 0 {
                    zones[slot].pgalloc += 1 << order
                    return pfn
                }
            }
            if !noFragment { return -1 }
            noFragment = false
        }
    }

    /// Allocates a block of `2^order` pages (`alloc_pages()`), preferring zone `zone` (default:
    /// the highest populated zone up to Normal) and falling back to lower zones, and says what the
    /// caller must do next, as `__alloc_pages()` and `__alloc_pages_slowpath()` would. The fast
    /// path checks the low watermark; when it fails, the slow path checks min (the caller is told
    /// to wake kswapd, `wake_all_kswapds()`), then drains the per-CPU lists and tries once more
    /// (`drain_all_pages()`, as `__alloc_pages_direct_reclaim()` does when reclaim freed nothing).
    /// When that fails too, the caller must reclaim directly and retry, or declare out of memory:
    /// the allocator reclaims nothing itself.
    ///
    ///     var mem = PhysicalMemory(PhysicalMemoryConfig.normal(pages: 4096))
    ///     let a = mem.allocate(order: 0)
    ///     a.pfn         // the first frame, or nil with `lastFailure` saying why
    ///     a.advice      // .none, .wakeKswapd, .reclaim or .impossible
    ///
    /// - Complexity: O(1) amortized for orders on the per-CPU lists, else O(MAX_PAGE_ORDER) per
    ///   zone tried, plus O(pageblock) when a fallback claims a pageblock.
    public mutating func allocate(order: Int, migratetype: MigrateType = .movable, zone: ZoneType? = nil,
                                  cpu: Int = 0) -> PageAllocation {
        guard order >= 0 && order <= maxOrder, cpu >= 0 && cpu < cpus,
              migratetype.rawValue < MigrateType.pcpTypes else { return PageAllocation(pfn: nil, advice: .impossible) }
        let highest = (zone ?? defaultZone).rawValue
        let preferred = topSlot(highest)
        guard preferred >= 0 else {
            fail(order: order, mt: migratetype, highest: highest)
            return PageAllocation(pfn: nil, advice: .impossible)
        }
        let mt = Int(migratetype.rawValue)
        var advice = PageAllocation.Advice.none
        var pfn = getPageFromFreelist(order: order, mt: mt, highest: highest, cpu: cpu, mark: .low,
                                      noFragment: noFragment(preferredSlot: preferred))
        if pfn < 0 {
            advice = .wakeKswapd
            pfn = getPageFromFreelist(order: order, mt: mt, highest: highest, cpu: cpu, mark: .min, noFragment: false)
            if pfn < 0 && pcpPages > 0 {
                drainAllPages()
                pfn = getPageFromFreelist(order: order, mt: mt, highest: highest, cpu: cpu, mark: .min, noFragment: false)
            }
            if pfn < 0 {
                fail(order: order, mt: migratetype, highest: highest)
                return PageAllocation(pfn: nil, advice: .reclaim)
            }
        }
        pages[pfn] = PageFrame(order: UInt8(order), state: .allocated, allocType: UInt8(mt))
        allocatedPages += 1 << order
        counters.allocations += 1
        debugCheckInvariants()
        return PageAllocation(pfn: pfn, advice: advice)
    }

    /// `allocate(order:migratetype:zone:cpu:)` for callers that only want the frame: the first
    /// pfn of the block, or `nil` (with `lastFailure` saying why).
    ///
    ///     let pfn = mem.allocPages(order: 0, migratetype: .unmovable)
    /// - Complexity: as `allocate`.
    public mutating func allocPages(order: Int, migratetype: MigrateType = .movable, zone: ZoneType? = nil,
                                    cpu: Int = 0) -> Int? {
        allocate(order: order, migratetype: migratetype, zone: zone, cpu: cpu).pfn
    }

    @inline(never)
    mutating func fail(order: Int, mt: MigrateType, highest: Int) {
        counters.allocationFailures += 1
        lastFailure = AllocationFailure(order: order, migratetype: mt, zones: stride(from: topSlot(highest), through: 0, by: -1).map { slot in
            var suitable = false
            for o in order...maxOrder where nrFree[slot * orders + o] > 0 { suitable = true }
            return .init(zone: zones[slot].type, free: zones[slot].nrFreePages, watermark: zones[slot].watermarks.min,
                         watermarkName: "min", reserve: zones[slot].reserve(for: highest), hasSuitableBlock: suitable)
        })
    }

    /// Whether `pfn` is the first page of an allocated block (something `freePages` accepts).
    /// - Complexity: O(1).
    public func isAllocated(pfn: Int) -> Bool {
        pfn >= 0 && pfn < pages.count && pages[pfn].state == .allocated
    }

    /// The order of the allocated block at `pfn`, or nil when `pfn` does not head one.
    /// - Complexity: O(1).
    public func allocatedOrder(pfn: Int) -> Int? {
        isAllocated(pfn: pfn) ? Int(pages[pfn].order) : nil
    }

    /// Frees the allocated block at `pfn` (`__free_pages()`): through this CPU's lists for the
    /// orders they hold (`free_unref_page()`), else straight to the buddy lists
    /// (`free_one_page()`). Returns false, changing nothing, when `pfn` heads no allocated block.
    /// - Complexity: O(1) amortized through the per-CPU lists, else O(MAX_PAGE_ORDER × blocks).
    @discardableResult
    public mutating func freePages(pfn: Int, cpu: Int = 0) -> Bool {
        guard isAllocated(pfn: pfn), cpu >= 0 && cpu < cpus else { return false }
        let order = Int(pages[pfn].order)
        let slot = slot(of: pfn)
        allocatedPages -= 1 << order
        if pcpEnabled && PerCPUPages.allowedOrder(order) {
            var mt = pageblockMigratetype(pfn)
            if mt >= MigrateType.pcpTypes { mt = Int(MigrateType.movable.rawValue) }
            freeUnrefPageCommit(slot: slot, cpu: cpu, pfn: pfn, order: order, mt: mt)
        } else {
            pages[pfn].state = .tail
            freeOneBlock(slot: slot, pfn: pfn, order: order, toTail: false)
        }
        debugCheckInvariants()
        return true
    }

    /// `split_page()`: the allocated block at `pfn` becomes `1 << order` allocated order-0 pages,
    /// each freed on its own later. False, changing nothing, when `pfn` heads no allocated block.
    /// - Complexity: O(pages of the block).
    @discardableResult
    public mutating func splitPage(pfn: Int) -> Bool {
        guard isAllocated(pfn: pfn) else { return false }
        let head = pages[pfn]
        for p in pfn..<(pfn + (1 << Int(head.order))) {
            pages[p] = PageFrame(order: 0, state: .allocated, allocType: head.allocType)
        }
        debugCheckInvariants()
        return true
    }

    /// Free pages in the buddy lists of all zones (`NR_FREE_PAGES` summed).
    /// - Complexity: O(zones).
    public var freePagesTotal: Int { zones.reduce(0) { $0 + $1.nrFreePages } }

    /// `free_area[order].nr_free` of zone `slot`.
    /// - Complexity: O(1).
    public func nrFree(zoneSlot slot: Int, order: Int) -> Int { Int(nrFree[slot * orders + order]) }

    /// The length of `free_area[order].free_list[mt]` of zone `slot`.
    /// - Complexity: O(1).
    public func freeListCount(zoneSlot slot: Int, order: Int, migratetype mt: MigrateType) -> Int {
        Int(lists[freeList(slot, order, Int(mt.rawValue))].count)
    }

    /// The pfns on `free_area[order].free_list[mt]` of zone `slot`, head first.
    /// - Complexity: O(list length).
    public func freeListPfns(zoneSlot slot: Int, order: Int, migratetype mt: MigrateType) -> [Int] {
        var out: [Int] = []
        var p = lists[freeList(slot, order, Int(mt.rawValue))].head
        while p >= 0 {
            out.append(Int(p))
            p = pages[Int(p)].next
        }
        return out
    }

    /// Pageblocks of each migrate type in zone `slot` (the pagetypeinfo block counts).
    /// - Complexity: O(pageblocks in the zone).
    public func pageblockCounts(zoneSlot slot: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: MigrateType.count)
        var pfn = zones[slot].startPfn
        while pfn < zones[slot].endPfn {
            counts[pageblockMigratetype(pfn)] += 1
            pfn += 1 << pageblockOrder
        }
        return counts
    }

    /// The migrate type of the pageblock holding `pfn` (`get_pageblock_migratetype()`).
    /// - Complexity: O(1).
    public func pageblockType(ofPfn pfn: Int) -> MigrateType { MigrateType(rawValue: UInt8(pageblockMigratetype(pfn)))! }

    /// The zone slot (index into `zones`) holding `pfn`.
    /// - Complexity: O(zones).
    public func zoneSlotIndex(ofPfn pfn: Int) -> Int { slot(of: pfn) }

}
