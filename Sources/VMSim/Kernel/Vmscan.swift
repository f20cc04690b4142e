/// Page reclaim as mm/vmscan.c does it with the two LRU lists: `shrink_node` → `shrink_lruvec`
/// scans each list by `lru_size >> priority` in batches of SWAP_CLUSTER_MAX, deactivating from
/// the active list when the inactive one is low (`inactive_is_low`, `shrink_active_list`) and
/// reclaiming from the inactive tail (`shrink_inactive_list` → `shrink_folio_list`), where
/// `folio_check_references` decides from the accessed bits (through the reverse map) and
/// PG_referenced whether a page is activated, kept or reclaimed; anonymous pages go to swap
/// (`add_to_swap`, `try_to_unmap`, `pageout`). kswapd (`balance_pgdat`) reclaims until the free
/// pages reach the high watermark; direct reclaim (`do_try_to_free_pages`) until it freed
/// SWAP_CLUSTER_MAX pages.
extension Machine {
    /// `SWAP_CLUSTER_MAX`.
    public static let swapClusterMax = 32
    /// `DEF_PRIORITY`.
    public static let defPriority = 12

    /// What the allocator said: kswapd must run when the free pages fell below the low watermark.
    mutating func noteAllocation(_ advice: PageAllocation.Advice) {
        if advice == .wakeKswapd { kswapdAwake = true }
    }

    /// `pgdat_balanced`: free pages at or above the high watermark of every zone.
    var balanced: Bool { memory.phys.zones.allSatisfy { $0.nrFreePages >= $0.watermarks.high } }

    /// kswapd, when woken: `balance_pgdat` at the end of the operation that woke it.
    mutating func runKswapdIfWoken() {
        guard kswapdAwake else { return }
        kswapdAwake = false
        balancePgdat()
    }

    /// `balance_pgdat`: from DEF_PRIORITY down, `kswapd_shrink_node` with nr_to_reclaim = the
    /// high watermark (at least SWAP_CLUSTER_MAX) until the node is balanced; the priority drops
    /// when a pass scanned less than that or reclaimed nothing.
    mutating func balancePgdat() {
        vmstat.pageoutrun += 1
        var priority = Self.defPriority
        let nrToReclaim = memory.phys.zones.reduce(0) { $0 + max($1.watermarks.high, Self.swapClusterMax) }
        while priority >= 1 && !balanced {
            let (scanned, reclaimed) = shrinkNode(priority: priority, nrToReclaim: nrToReclaim, kswapd: true)
            if scanned < nrToReclaim || reclaimed == 0 { priority -= 1 }
        }
    }

    /// `try_to_free_pages` → `do_try_to_free_pages`: priority DEF_PRIORITY down to 0 until
    /// SWAP_CLUSTER_MAX pages are reclaimed. Returns the pages reclaimed.
    mutating func tryToFreePages() -> Int {
        vmstat.allocstallNormal += 1
        var reclaimed = 0
        var priority = Self.defPriority
        while priority >= 0 && reclaimed < Self.swapClusterMax {
            reclaimed += shrinkNode(priority: priority, nrToReclaim: Self.swapClusterMax - reclaimed, kswapd: false).reclaimed
            priority -= 1
        }
        return reclaimed
    }

    /// `shrink_lruvec` over the anonymous lists (get_scan_count's SCAN_FILE without swap space,
    /// else all anon while no file pages exist). Returns pages scanned and reclaimed.
    mutating func shrinkNode(priority: Int, nrToReclaim: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        guard let swap, swap.freePages > 0 || lru.count(.inactiveAnon) > 0 else { return (0, 0) }
        var nrInactive = lru.count(.inactiveAnon) >> priority
        var nrActive = lru.count(.activeAnon) >> priority
        var scanned = 0, reclaimed = 0
        while (nrInactive > 0 || nrActive > 0) && reclaimed < nrToReclaim {
            if nrActive > 0 {
                let n = min(nrActive, Self.swapClusterMax)
                nrActive -= n
                if inactiveIsLow() { shrinkActiveList(n) }
            }
            if nrInactive > 0 {
                let n = min(nrInactive, Self.swapClusterMax)
                nrInactive -= n
                let r = shrinkInactiveList(n, kswapd: kswapd)
                scanned += r.scanned
                reclaimed += r.reclaimed
            }
        }
        // Keep the inactive list from running dry (`shrink_node`'s final `shrink_active_list`).
        if inactiveIsLow() && lru.count(.activeAnon) > 0 { shrinkActiveList(min(lru.count(.activeAnon), Self.swapClusterMax)) }
        return (scanned, reclaimed)
    }

    /// `inactive_is_low` for the anonymous lists: inactive × int_sqrt(10 × GiB) < active.
    func inactiveIsLow() -> Bool {
        let inactive = lru.count(.inactiveAnon), active = lru.count(.activeAnon)
        return inactive * Linux2ListPolicy.inactiveRatio(pages: inactive + active) < active
    }

    /// `shrink_active_list`: `n` pages from the active tail; each one's accessed bits are tested
    /// and cleared (`folio_referenced`), and every anonymous page is deactivated regardless
    /// (only executable file pages are rotated back), to the inactive head.
    mutating func shrinkActiveList(_ n: Int) {
        var moved = 0
        for _ in 0..<n {
            let f = lru.tail(.activeAnon)
            guard f >= 0 else { break }
            _ = folioReferenced(Int(f))
            frames[Int(f)].flags.remove(.referenced)
            lru.move(f, to: .inactiveAnon)
            moved += 1
        }
        vmstat.pgrefill += moved
        vmstat.pgdeactivate += moved
    }

    /// `shrink_inactive_list` → `shrink_folio_list` for `n` pages from the inactive tail.
    mutating func shrinkInactiveList(_ n: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        var batch: [Int32] = []
        for _ in 0..<n {
            let f = lru.tail(.inactiveAnon)
            guard f >= 0 else { break }
            lru.remove(f)   // isolate_lru_folios
            batch.append(f)
        }
        var reclaimed = 0
        for f in batch {
            let pfn = Int(f)
            switch folioCheckReferences(pfn) {
            case .activate:
                lru.add(f, to: .activeAnon)
                vmstat.pgactivate += 1
            case .keep:
                lru.add(f, to: .inactiveAnon)
            case .reclaim:
                if reclaimAnon(pfn) { reclaimed += 1 } else {
                    lru.add(f, to: .activeAnon)   // activate_locked: swap full or a write failed
                    vmstat.pgactivate += 1
                }
            }
        }
        if kswapd {
            vmstat.pgscanKswapd += batch.count
            vmstat.pgstealKswapd += reclaimed
        } else {
            vmstat.pgscanDirect += batch.count
            vmstat.pgstealDirect += reclaimed
        }
        vmstat.pgscanAnon += batch.count
        vmstat.pgstealAnon += reclaimed
        return (batch.count, reclaimed)
    }

    enum FolioReference { case activate, keep, reclaim }

    /// `folio_check_references`: referenced entries (the accessed bits, cleared) set PG_referenced;
    /// a page referenced twice (two entries, or PG_referenced already set) is activated, once is
    /// kept for another trip; an unreferenced page is reclaimed.
    mutating func folioCheckReferences(_ pfn: Int) -> FolioReference {
        let referencedPTEs = folioReferenced(pfn)
        let referencedFolio = frames[pfn].flags.contains(.referenced)
        frames[pfn].flags.remove(.referenced)
        if referencedPTEs > 0 {
            frames[pfn].flags.insert(.referenced)
            return referencedFolio || referencedPTEs > 1 ? .activate : .keep
        }
        return .reclaim
    }

    /// Reclaims one anonymous page: into the swap cache, unmapped everywhere, written out when
    /// dirty, then dropped from the swap cache and freed (`__remove_mapping`). False when it
    /// could not be (no swap slot, or the write failed).
    mutating func reclaimAnon(_ pfn: Int) -> Bool {
        if !frames[pfn].flags.contains(.swapCache) {
            guard addToSwap(pfn) else { return false }
        }
        tryToUnmap(pfn)
        guard frames[pfn].mapcount == 0 else { return false }
        if frames[pfn].flags.contains(.dirty) {
            do throws(KernelError) {
                try swap!.writePage(Int(frames[pfn].swap), token: frames[pfn].content)
            } catch {
                swapError = error.description
                return false
            }
            frames[pfn].flags.remove(.dirty)
            vmstat.pswpout += 1
            vmstat.nrVmscanWrite += 1
        }
        deleteFromSwapCache(pfn)
        freePage(pfn)
        return true
    }
}
