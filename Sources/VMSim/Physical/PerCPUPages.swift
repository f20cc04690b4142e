/// One CPU's page lists for one zone (`struct per_cpu_pages`): a list per migrate type for each
/// order up to `PAGE_ALLOC_COSTLY_ORDER`, plus two THP lists (movable and not), with `count`,
/// `high` and `batch`.
@usableFromInline
struct PerCPUPages: Sendable {
    /// Pages on all this CPU's lists for the zone.
    @usableFromInline var count: Int = 0
    /// Drain when `count >= high`.
    @usableFromInline var high: Int = 0
    /// Pages moved per refill or drain.
    @usableFromInline var batch: Int = 1
    /// Index of list 0 in the allocator's list table.
    @usableFromInline let listBase: Int

    init(listBase: Int) { self.listBase = listBase }

    /// `PAGE_ALLOC_COSTLY_ORDER`.
    static let costlyOrder = 3
    /// `HPAGE_PMD_ORDER`: the THP order, which also has pcp lists.
    static let thpOrder = 9
    /// `NR_LOWORDER_PCP_LISTS`.
    static let lowOrderLists = MigrateType.pcpTypes * (costlyOrder + 1)
    /// `NR_PCP_LISTS`.
    static let listCount = lowOrderLists + 2

    /// `pcp_allowed_order()`.
    @inline(__always)
    static func allowedOrder(_ order: Int) -> Bool { order <= costlyOrder || order == thpOrder }

    /// `order_to_pindex()`.
    @inline(__always)
    static func pindex(mt: Int, order: Int) -> Int {
        if order > costlyOrder { return lowOrderLists + (mt == Int(MigrateType.movable.rawValue) ? 1 : 0) }
        return MigrateType.pcpTypes * order + mt
    }

    /// `pindex_to_order()`.
    @inline(__always)
    static func order(ofPindex pindex: Int) -> Int {
        pindex >= lowOrderLists ? thpOrder : pindex / MigrateType.pcpTypes
    }
}

/// The per-CPU list sizing of mm/page_alloc.c and mm/vmstat.c, as pure functions.
public enum PerCPUSizing {
    /// `zone_batchsize()`: `min(managed >> 10, 1 MiB / PAGE_SIZE) / 4`, at least 1, then
    /// `rounddown_pow_of_two(batch + batch / 2) - 1`; the pageset uses `max(1, that)`.
    /// - Complexity: O(1).
    public static func batch(managed: Int, pageSize: Int = 4096) -> Int {
        var batch = Swift.min(managed >> 10, (1 << 20) / pageSize)
        batch /= 4
        if batch < 1 { batch = 1 }
        let x = batch + batch / 2
        batch = (1 << (Int.bitWidth - 1 - x.leadingZeroBitCount)) - 1
        return Swift.max(1, batch)
    }

    /// `zone_highsize()`: `total / cpus`, at least `batch * 4`, where `total` is the zone's low
    /// watermark (for `high_min`) or `managed / 8` (for `high_max`,
    /// `MIN_PERCPU_PAGELIST_HIGH_FRACTION`).
    /// - Complexity: O(1).
    public static func high(totalPages: Int, cpus: Int, batch: Int) -> Int {
        Swift.max(totalPages / Swift.max(cpus, 1), batch << 2)
    }

    /// `calculate_normal_threshold()` (mm/vmstat.c): the per-CPU vmstat threshold printed in
    /// /proc/zoneinfo: `2 * fls(cpus) * (1 + fls(managed >> (27 - PAGE_SHIFT)))`, at most 125.
    /// - Complexity: O(1).
    public static func statThreshold(managed: Int, cpus: Int) -> Int {
        func fls(_ x: Int) -> Int { x == 0 ? 0 : Int.bitWidth - x.leadingZeroBitCount }
        let mem = managed >> (27 - 12)
        return Swift.min(125, 2 * fls(cpus) * (1 + fls(mem)))
    }
}

extension PhysicalMemory {
    /// Per-CPU list state of one CPU for one zone, for reports.
    public struct PCPState: Hashable, Sendable {
        /// The CPU.
        public var cpu: Int
        /// `pcp->count`: pages on its lists.
        public var count: Int
        /// `pcp->high`: the count at which a free drains a batch.
        public var high: Int
        /// `pcp->batch`: pages moved per refill or drain.
        public var batch: Int
        /// `pcp->high_min`.
        public var highMin: Int
        /// `pcp->high_max`.
        public var highMax: Int
    }

    /// The per-CPU lists of zone `slot`, one entry per CPU.
    /// - Complexity: O(cpus).
    public func pcpState(zoneSlot slot: Int) -> [PCPState] {
        (0..<cpus).map { c in
            let p = pcp[zones[slot].pcpBase + c]
            return PCPState(cpu: c, count: p.count, high: p.high, batch: p.batch,
                            highMin: pcpEnabled ? zones[slot].highMin : 0,
                            highMax: pcpEnabled ? zones[slot].highMax : 0)
        }
    }

    /// `zone_set_pageset_high_and_batch()`: batch from `zone_batchsize()`, `high_min` from the low
    /// watermark and `high_max` from managed/8, split over the CPUs. VMSim keeps `high` at
    /// `high_min` (the kernel's 6.7+ auto-tuning moves it between the two).
    mutating func setPagesetHighAndBatch() {
        for z in zones.indices {
            let batch = PerCPUSizing.batch(managed: zones[z].managed)
            zones[z].batch = batch
            zones[z].highMin = PerCPUSizing.high(totalPages: zones[z].watermarks.low, cpus: cpus, batch: batch)
            zones[z].highMax = PerCPUSizing.high(totalPages: zones[z].managed / 8, cpus: cpus, batch: batch)
            for c in 0..<cpus {
                pcp[zones[z].pcpBase + c].batch = pcpEnabled ? batch : 1
                pcp[zones[z].pcpBase + c].high = pcpEnabled ? zones[z].highMin : 0
            }
        }
    }

    /// `rmqueue_pcplist()` / `__rmqueue_pcplist()`: the head of this CPU's list for (`mt`, `order`),
    /// refilled first from the buddy lists with `batch` blocks (`rmqueue_bulk()`, to the list tail
    /// in the order they come) when empty. Returns the pfn or -1.
    /// - Complexity: O(1) amortized; a refill is O(batch × MAX_PAGE_ORDER).
    @inline(__always)
    mutating func rmqueuePcplist(slot: Int, cpu: Int, order: Int, mt: Int, noFragment: Bool) -> Int {
        let pi = zones[slot].pcpBase + cpu
        let li = pcp[pi].listBase + PerCPUPages.pindex(mt: mt, order: order)
        if lists[li].head < 0 {
            refillPcplist(slot: slot, pcpIndex: pi, list: li, order: order, mt: mt, noFragment: noFragment)
            if lists[li].head < 0 { return -1 }
        }
        let pfn = Int(lists[li].head)
        Self.listDel(&pages, &lists, li, pfn)
        pcp[pi].count -= 1 << order
        return pfn
    }

    /// `rmqueue_bulk()` with the count of `nr_pcp_alloc()`: `batch` for order 0, else
    /// `max(batch >> order, 2)`; 1 when `high < batch` (lists off).
    @inline(never)
    mutating func refillPcplist(slot: Int, pcpIndex pi: Int, list li: Int, order: Int, mt: Int, noFragment: Bool) {
        let base = pcp[pi].batch
        var count = base
        if pcp[pi].high < base {
            count = 1
        } else if order > 0 && count > 1 {
            count = Swift.max(count >> order, 2)
        }
        counters.pcpRefills += 1
        for _ in 0..<count {
            let pfn = rmqueue(slot: slot, order: order, mt: mt, noFragment: noFragment)
            if pfn < 0 { break }
            pages[pfn].state = .pcp
            pages[pfn].order = UInt8(order)
            pages[pfn].list = UInt8(li - pcp[pi].listBase)
            Self.listAddTail(&pages, &lists, li, pfn)
            pcp[pi].count += 1 << order
        }
    }

    /// `free_unref_page_commit()`: the block goes to the HEAD of this CPU's list for its
    /// pageblock's type and order; when the lists then hold `high` pages or more, `batch` pages go
    /// back to the buddy lists (`free_pcppages_bulk()`).
    /// - Complexity: O(1) amortized; a drain is O(batch × MAX_PAGE_ORDER).
    @inline(__always)
    mutating func freeUnrefPageCommit(slot: Int, cpu: Int, pfn: Int, order: Int, mt: Int) {
        let pi = zones[slot].pcpBase + cpu
        let pindex = PerCPUPages.pindex(mt: mt, order: order)
        let li = pcp[pi].listBase + pindex
        pages[pfn] = PageFrame(order: UInt8(order), state: .pcp, list: UInt8(pindex))
        Self.listAddHead(&pages, &lists, li, pfn)
        pcp[pi].count += 1 << order
        counters.pgfree += 1 << order
        let high = pcp[pi].high
        if pcp[pi].count >= high {
            let batch = pcp[pi].batch
            // nr_pcp_free(): 1 when the lists are off (high < batch), else batch, clamped so that
            // at least batch pages stay (at most high - batch).
            let n = high < batch ? 1 : Swift.min(batch, high - batch)
            freePcppagesBulk(slot: slot, pcpIndex: pi, count: n, pindex: pindex)
        }
    }

    /// `free_pcppages_bulk()`: frees `count` pages from the lists round-robin, starting with
    /// `pindex`, each from the list's TAIL, to the buddy lists of its pageblock's type.
    /// - Complexity: O(count × MAX_PAGE_ORDER + NR_PCP_LISTS).
    @inline(never)
    mutating func freePcppagesBulk(slot: Int, pcpIndex pi: Int, count: Int, pindex: Int) {
        var count = Swift.min(pcp[pi].count, count)
        var pindex = pindex - 1
        let base = pcp[pi].listBase
        counters.pcpDrains += 1
        while count > 0 {
            var li: Int
            repeat {
                pindex += 1
                if pindex > PerCPUPages.listCount - 1 { pindex = 0 }
                li = base + pindex
            } while lists[li].head < 0
            let order = PerCPUPages.order(ofPindex: pindex)
            let nr = 1 << order
            repeat {
                let pfn = Int(lists[li].tail)
                Self.listDel(&pages, &lists, li, pfn)
                pages[pfn].state = .tail
                count -= nr
                pcp[pi].count -= nr
                freeOnePage(slot: slot, pfn: pfn, order: order, mt: pageblockMigratetype(pfn), toTail: false)
            } while count > 0 && lists[li].head >= 0
        }
    }

    /// `drain_all_pages()`: empties every CPU's lists back to the buddy lists.
    /// - Complexity: O(pages on pcp lists × MAX_PAGE_ORDER).
    public mutating func drainAllPages() {
        for z in zones.indices {
            for c in 0..<cpus {
                let pi = zones[z].pcpBase + c
                if pcp[pi].count > 0 { freePcppagesBulk(slot: z, pcpIndex: pi, count: pcp[pi].count, pindex: 0) }
            }
        }
    }

    /// Pages sitting on per-CPU lists, over all zones and CPUs.
    /// - Complexity: O(zones × cpus).
    public var pcpPages: Int { pcp.reduce(0) { $0 + $1.count } }
}
