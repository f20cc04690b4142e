extension PhysicalMemory: InvariantChecking {
    /// Checks the allocator's invariants and returns one sentence per violation (empty when all
    /// hold): every list is well linked and counted, no block is on two lists, every free block is
    /// aligned to its order, inside its zone and on the list of its pageblock's type, the blocks
    /// tile each zone exactly, `nr_free` and `NR_FREE_PAGES` match the lists, free + per-CPU +
    /// allocated pages = managed pages, and no two free buddies of the same order are left
    /// unmerged.
    /// - Complexity: O(pages).
    public func checkInvariants() -> [String] {
        var problems: [String] = []
        func report(_ s: String) { if problems.count < 20 { problems.append(s) } }
        var seen = [Bool](repeating: false, count: pages.count)

        func walk(_ li: Int, what: String, check: (Int) -> Void) {
            let problem = pages.linkProblem(lists[li]) { p in
                let pfn = Int(p)
                if seen[pfn] { return "pfn \(pfn) is on two lists (or twice on one)" }
                seen[pfn] = true
                check(pfn)
                return nil
            }
            if let problem { report("\(what): \(problem)") }
        }

        for (slot, zone) in zones.enumerated() {
            var freePages = 0
            for order in 0...maxOrder {
                var blocks = 0
                for mt in 0..<MigrateType.count {
                    let what = "zone \(zone.type) free_area[\(order)].free_list[\(MigrateType(rawValue: UInt8(mt))!)]"
                    walk(freeList(slot, order, mt), what: what) { pfn in
                        let page = pages[pfn]
                        if page.state != .buddy || Int(page.order) != order || Int(page.list) != mt {
                            report("\(what): pfn \(pfn) is not a free block of this order and type")
                        }
                        if pfn & ((1 << order) - 1) != 0 { report("\(what): pfn \(pfn) is not aligned to order \(order)") }
                        if pfn < zone.startPfn || pfn + (1 << order) > zone.endPfn {
                            report("\(what): block at pfn \(pfn) is not inside the zone")
                        }
                        if pageblockMigratetype(pfn) != mt {
                            report("\(what): block at pfn \(pfn) lies in a \(pageblockType(ofPfn: pfn)) pageblock")
                        }
                        if order < maxOrder {
                            let buddy = pfn ^ (1 << order)
                            if isBuddy(slot: slot, pfn: buddy, order: order) {
                                let mergeable = order < pageblockOrder
                                    || (mt < MigrateType.pcpTypes && pageblockMigratetype(buddy) < MigrateType.pcpTypes)
                                if mergeable { report("\(what): free buddies at pfn \(pfn) and \(buddy) are not merged") }
                            }
                        }
                        blocks += 1
                        freePages += 1 << order
                    }
                }
                if blocks != nrFree(zoneSlot: slot, order: order) {
                    report("zone \(zone.type): nr_free[\(order)] is \(nrFree(zoneSlot: slot, order: order)) but the lists hold \(blocks)")
                }
            }
            if freePages != zone.nrFreePages {
                report("zone \(zone.type): NR_FREE_PAGES is \(zone.nrFreePages) but the lists hold \(freePages) pages")
            }
            for cpu in 0..<cpus {
                let pi = zone.pcpBase + cpu
                var pcpPages = 0
                for pindex in 0..<PerCPUPages.listCount {
                    let order = PerCPUPages.order(ofPindex: pindex)
                    let what = "zone \(zone.type) cpu \(cpu) pcp list \(pindex)"
                    walk(pcp[pi].listBase + pindex, what: what) { pfn in
                        if pages[pfn].state != .pcp || Int(pages[pfn].order) != order || Int(pages[pfn].list) != pindex {
                            report("\(what): pfn \(pfn) is not a pcp block of order \(order)")
                        }
                        if pfn & ((1 << order) - 1) != 0 { report("\(what): pfn \(pfn) is not aligned to order \(order)") }
                        pcpPages += 1 << order
                    }
                }
                if pcpPages != pcp[pi].count { report("zone \(zone.type) cpu \(cpu): pcp count \(pcp[pi].count) but lists hold \(pcpPages)") }
            }
        }

        // The blocks tile every zone: each position starts a free, pcp or allocated block whose
        // other pages are tails.
        var allocated = 0, free = 0, onPcp = 0
        for zone in zones {
            var pfn = zone.startPfn
            while pfn < zone.endPfn {
                let page = pages[pfn]
                guard page.state != .tail else { report("zone \(zone.type): pfn \(pfn) belongs to no block"); break }
                let size = 1 << Int(page.order)
                if pfn + size > zone.endPfn { report("zone \(zone.type): block at pfn \(pfn) runs past the zone"); break }
                if (page.state == .buddy || page.state == .pcp) && !seen[pfn] {
                    report("pfn \(pfn) is marked \(page.state) but is on no list")
                }
                if page.state == .allocated && seen[pfn] { report("allocated pfn \(pfn) is on a list") }
                for t in (pfn + 1)..<(pfn + size) where pages[t].state != .tail {
                    report("pfn \(t) inside the block at \(pfn) is marked \(pages[t].state)")
                    break
                }
                switch page.state {
                case .buddy: free += size
                case .pcp: onPcp += size
                case .allocated: allocated += size
                case .tail: break
                }
                pfn += size
            }
        }
        let managed = zones.reduce(0) { $0 + $1.managed }
        if free + onPcp + allocated != managed {
            report("free \(free) + pcp \(onPcp) + allocated \(allocated) pages != managed \(managed)")
        }
        if allocated != allocatedPages { report("allocatedPages is \(allocatedPages) but \(allocated) pages are allocated") }
        if onPcp != pcpPages { report("pcp counts total \(pcpPages) but \(onPcp) pages are on pcp lists") }
        return problems
    }
}
