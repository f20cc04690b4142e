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
        let saved = sc
        sc = ReclaimControl()
        defer { sc = saved }
        var priority = Self.defPriority
        let nrToReclaim = memory.phys.zones.reduce(0) { $0 + max($1.watermarks.high, Self.swapClusterMax) }
        while priority >= 1 && !balanced {
            let (scanned, reclaimed) = shrinkNode(priority: &priority, nrToReclaim: nrToReclaim, kswapd: true)
            if scanned < nrToReclaim || reclaimed == 0 { priority -= 1 }
        }
    }

    /// `try_to_free_pages`: global direct reclaim of SWAP_CLUSTER_MAX pages (`allocstall_normal`).
    /// Returns the pages reclaimed.
    mutating func tryToFreePages() -> Int {
        vmstat.allocstallNormal += 1
        let saved = sc
        sc = ReclaimControl()
        defer { sc = saved }
        return doTryToFreePages(nrToReclaim: Self.swapClusterMax)
    }

    /// `do_try_to_free_pages` for the reclaim `sc` describes: priority DEF_PRIORITY down to 0
    /// until `nrToReclaim` pages are reclaimed; when nothing was and a cgroup was spared for its
    /// memory.low, once more ignoring memory.low (`memcg_low_reclaim`). Returns the pages reclaimed.
    mutating func doTryToFreePages(nrToReclaim: Int) -> Int {
        var reclaimed = 0
        while true {
            var priority = Self.defPriority
            while priority >= 0 && reclaimed < nrToReclaim {
                reclaimed += shrinkNode(priority: &priority, nrToReclaim: nrToReclaim - reclaimed, kswapd: false).reclaimed
                priority -= 1
            }
            guard reclaimed == 0, sc.memcgLowSkipped, !sc.memcgLowReclaim else { return reclaimed }
            sc.memcgLowReclaim = true
            sc.memcgLowSkipped = false
        }
    }

    /// `shrink_lruvec`: `get_scan_count` splits the scan between the anonymous and file lists
    /// (SCAN_FILE without free swap or anonymous pages in the swap cache; otherwise SCAN_FRACT with
    /// swappiness : 200 - swappiness, the kernel's proportions before any reclaim cost is
    /// recorded), then the lists are scanned in batches of SWAP_CLUSTER_MAX. Returns pages scanned
    /// and reclaimed.
    mutating func shrinkNode(priority: inout Int, nrToReclaim: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        if lruGenEnabled { return lruGenShrinkNode(priority: &priority, nrToReclaim: nrToReclaim, kswapd: kswapd) }
        guard memory.memcg.active else { return shrinkLruvec(group: 0, priority: priority, nrToReclaim: nrToReclaim, kswapd: kswapd) }
        return shrinkNodeMemcgs(priority: priority, nrToReclaim: nrToReclaim, kswapd: kswapd)
    }

    /// `shrink_node_memcgs`: each cgroup of the target's subtree in turn (`mem_cgroup_iter`; a
    /// direct or cgroup reclaim walks on from where the last one stopped and stops once it has
    /// reclaimed enough, kswapd walks them all), its protection computed
    /// (`mem_cgroup_calculate_protection`): below its memory.min it is skipped, below its
    /// memory.low too unless this is the second pass (then a low event), else its lists are
    /// shrunk (`shrink_lruvec`).
    mutating func shrinkNodeMemcgs(priority: Int, nrToReclaim: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        let target = sc.target
        let order = memory.memcg.subtree(target)
        let partial = !kswapd
        var i = partial ? min(reclaimCursor[target] ?? 0, order.count) : 0
        var scanned = 0, reclaimed = 0
        while i < order.count {
            let g = order[i]
            i += 1
            if partial { reclaimCursor[target] = i }
            memory.memcg.calculateProtection(root: target, g)
            if memory.memcg.belowMin(root: target, g) { continue }
            if memory.memcg.belowLow(root: target, g) {
                if !sc.memcgLowReclaim {
                    sc.memcgLowSkipped = true
                    continue
                }
                memory.memcg.event(g, .low)
            }
            let r = shrinkLruvec(group: g, priority: priority, nrToReclaim: nrToReclaim - reclaimed, kswapd: kswapd)
            scanned += r.scanned
            reclaimed += r.reclaimed
            if partial && reclaimed >= nrToReclaim { return (scanned, reclaimed) }
        }
        if partial { reclaimCursor[target] = 0 }
        return (scanned, reclaimed)
    }

    /// `apply_proportional_protection`: a protected cgroup's list size scaled by how much of its
    /// usage is above its effective protection (memory.low, or memory.min on the second pass),
    /// at least SWAP_CLUSTER_MAX.
    mutating func applyProportionalProtection(group g: Int, _ size: Int) -> Int {
        let (emin, elow) = memory.memcg.protection(root: sc.target, g)
        guard emin > 0 || elow > 0 else { return size }
        let protection: Int
        if !sc.memcgLowReclaim && elow > emin {
            protection = elow
            sc.memcgLowSkipped = true
        } else {
            protection = emin
        }
        let cgroupSize = max(memory.memcg.cgroups[g].usage, protection)
        let scan = size - Int(UInt64(size) * UInt64(protection) / UInt64(cgroupSize + 1))
        return max(scan, Self.swapClusterMax)
    }

    /// `shrink_lruvec` of cgroup `g`'s lists (group 0: the root's, the only lists without cgroups).
    mutating func shrinkLruvec(group g: Int, priority: Int, nrToReclaim: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        let canSwap = ((swap?.freePages ?? 0) > 0 && (g == 0 || memcgSwapRoom(g) > 0)) || swapCachedPages > 0
        let swappiness = config.swappiness
        let anonCount = lru.count(.inactiveAnon, in: g) + lru.count(.activeAnon, in: g)
        let fileCount = lru.count(.inactiveFile, in: g) + lru.count(.activeFile, in: g)
        func share(_ size: Int, file: Bool) -> Int {
            let scan = (g == 0 ? size : applyProportionalProtection(group: g, size)) >> priority
            if !canSwap { return file ? scan : 0 }
            if fileCount == 0 { return file ? 0 : scan }
            if anonCount == 0 { return file ? scan : 0 }
            let ap = swappiness, fp = 200 - swappiness
            guard ap + fp > 0 else { return 0 }
            return scan * (file ? fp : ap) / (ap + fp)
        }
        var nr = [share(lru.count(.inactiveAnon, in: g), file: false), share(lru.count(.activeAnon, in: g), file: false),
                  share(lru.count(.inactiveFile, in: g), file: true), share(lru.count(.activeFile, in: g), file: true)]
        var scanned = 0, reclaimed = 0
        while nr.contains(where: { $0 > 0 }) && reclaimed < nrToReclaim {
            for file in [false, true] {
                let inactive = file ? 2 : 0, active = inactive + 1
                if nr[active] > 0 {
                    let n = min(nr[active], Self.swapClusterMax)
                    nr[active] -= n
                    if inactiveIsLow(file: file, group: g) { shrinkActiveList(n, file: file, group: g) }
                }
                if nr[inactive] > 0 {
                    let n = min(nr[inactive], Self.swapClusterMax)
                    nr[inactive] -= n
                    let r = shrinkInactiveList(n, file: file, kswapd: kswapd, group: g)
                    scanned += r.scanned
                    reclaimed += r.reclaimed
                }
            }
        }
        // Keep the inactive lists from running dry (`shrink_node`'s final `shrink_active_list`).
        for file in [false, true] where (file || canSwap) && inactiveIsLow(file: file, group: g) {
            let active = LRUVector.List.active(file: file)
            if lru.count(active, in: g) > 0 { shrinkActiveList(min(lru.count(active, in: g), Self.swapClusterMax), file: file, group: g) }
        }
        return (scanned, reclaimed)
    }

    /// `inactive_is_low`: inactive × int_sqrt(10 × GiB) < active, on cgroup `g`'s lists.
    func inactiveIsLow(file: Bool, group g: Int = 0) -> Bool {
        let inactive = lru.count(.inactive(file: file), in: g), active = lru.count(.active(file: file), in: g)
        return inactive * Linux2ListPolicy.inactiveRatio(pages: inactive + active) < active
    }

    /// `shrink_active_list`: `n` pages from the active tail; each one's accessed bits are tested
    /// and cleared (`folio_referenced`); executable file pages that were referenced rotate back to
    /// the active head, every other page is deactivated to the inactive head.
    mutating func shrinkActiveList(_ n: Int, file: Bool, group g: Int = 0) {
        var scanned = 0, deactivated = 0
        let active = LRUVector.List.active(file: file)
        var rotated: [Int32] = []
        for _ in 0..<n {
            let f = lru.tail(active, in: g)
            guard f >= 0 else { break }
            scanned += 1
            let referenced = folioReferenced(Int(f)) > 0
            if file && referenced && mappedExecutable(Int(f)) {
                lru.remove(f)
                rotated.append(f)
                continue
            }
            frames[Int(f)].flags.remove(.referenced)
            frames[Int(f)].flags.insert(.workingset)
            lru.move(f, to: .inactive(file: file))
            deactivated += 1
        }
        for f in rotated { putbackLRU(Int(f), active: true) }
        vmstat.pgrefill += scanned
        vmstat.pgdeactivate += deactivated
        countMemcg(g, .pgrefill, scanned)
        countMemcg(g, .pgdeactivate, deactivated)
    }

    /// Whether a file page is mapped by an executable VMA.
    func mappedExecutable(_ pfn: Int) -> Bool {
        var exec = false
        rmapWalkFile(pfn) { mm, address in if mms[mm]?.vmas.lookup(address)?.flags.contains(.exec) == true { exec = true } }
        return exec
    }

    /// `shrink_inactive_list` → `shrink_folio_list` for `n` pages from the inactive tail.
    mutating func shrinkInactiveList(_ n: Int, file: Bool, kswapd: Bool, group g: Int = 0) -> (scanned: Int, reclaimed: Int) {
        var batch: [Int32] = []
        let inactive = LRUVector.List.inactive(file: file)
        for _ in 0..<n {
            let f = lru.tail(inactive, in: g)
            guard f >= 0 else { break }
            lru.remove(f)   // isolate_lru_folios
            batch.append(f)
        }
        var reclaimed = 0, activated = 0
        for f in batch {
            let pfn = Int(f)
            switch folioCheckReferences(pfn) {
            case .activate:
                putbackLRU(pfn, active: true)
                activated += 1
            case .keep:
                putbackLRU(pfn, active: false)
            case .reclaim:
                if reclaimFolio(pfn, fileList: file) { reclaimed += 1 } else if !lru.isOnList(f) {
                    putbackLRU(pfn, active: true)   // activate_locked: swap full or a write failed
                    activated += 1
                }
            }
        }
        vmstat.pgactivate += activated
        countMemcg(g, .pgactivate, activated)
        countScan(batch.count, file: file, kswapd: kswapd, group: g)
        countSteal(reclaimed, file: file, kswapd: kswapd, group: g)
        return (batch.count, reclaimed)
    }

    /// Pages isolated for reclaim: `pgscan_kswapd` or `pgscan_direct` (in /proc/vmstat only for
    /// global reclaim, `cgroup_reclaim`; in the cgroup's memory.stat always), and `pgscan_anon`
    /// or `pgscan_file`.
    mutating func countScan(_ n: Int, file: Bool, kswapd: Bool, group g: Int = 0) {
        if !sc.cgroupReclaim { if kswapd { vmstat.pgscanKswapd += n } else { vmstat.pgscanDirect += n } }
        countMemcg(g, kswapd ? .pgscanKswapd : .pgscanDirect, n)
        if file { vmstat.pgscanFile += n } else { vmstat.pgscanAnon += n }
    }

    /// Pages reclaimed: `pgsteal_kswapd` or `pgsteal_direct` (as `countScan`), and
    /// `pgsteal_anon` or `pgsteal_file`.
    mutating func countSteal(_ n: Int, file: Bool, kswapd: Bool, group g: Int = 0) {
        if !sc.cgroupReclaim { if kswapd { vmstat.pgstealKswapd += n } else { vmstat.pgstealDirect += n } }
        countMemcg(g, kswapd ? .pgstealKswapd : .pgstealDirect, n)
        if file { vmstat.pgstealFile += n } else { vmstat.pgstealAnon += n }
    }

    enum FolioReference { case activate, keep, reclaim }

    /// `shrink_folio_list`'s reclaim of an isolated, unreferenced page: a lazily freed page is
    /// discarded (or put back when written again); a huge page is split, then reclaimed 4K by 4K
    /// (no THP_SWAP): its head now, the others from the list; shmem pages go to swap
    /// (`shmem_writeout`), file pages are written back when dirty and dropped, anonymous pages go
    /// to swap. True when the page was freed; otherwise it is off the lists unless a lazily freed
    /// page was put back.
    mutating func reclaimFolio(_ pfn: Int, fileList: Bool) -> Bool {
        // KSM pages stay (VMSim has no `rmap_walk_ksm` to unmap them everywhere).
        if frames[pfn].flags.contains(.ksm) { return false }
        if frames[pfn].file < 0 && !frames[pfn].flags.contains(.swapBacked) { return discardLazyFree(pfn) }
        if frames[pfn].order == 9 { splitHugePage(pfn, isolated: true) }
        if frames[pfn].file >= 0 && !fileList { return shmemWriteout(pfn) }
        return fileList ? reclaimFile(pfn) : reclaimAnon(pfn)
    }

    /// `folio_check_references`: referenced entries (the accessed bits, cleared) set PG_referenced;
    /// a page referenced twice (two entries, or PG_referenced already set), or an executable file
    /// page referenced once, is activated; once is kept for another trip; an unreferenced page is
    /// reclaimed (a file page referenced only through PG_referenced too, as FOLIOREF_RECLAIM_CLEAN).
    mutating func folioCheckReferences(_ pfn: Int) -> FolioReference {
        let referencedPTEs = folioReferenced(pfn)
        let referencedFolio = frames[pfn].flags.contains(.referenced)
        frames[pfn].flags.remove(.referenced)
        if referencedPTEs > 0 {
            frames[pfn].flags.insert(.referenced)
            if referencedFolio || referencedPTEs > 1 { return .activate }
            if frames[pfn].file >= 0 && mappedExecutable(pfn) { return .activate }
            return .keep
        }
        return .reclaim
    }

    /// A lazily freed anonymous page (MADV_FREE) at reclaim (`try_to_unmap_one`'s lazyfree
    /// case): written again since (a dirty entry), it is swap-backed again and activated on the
    /// anonymous list; clean, its entries are cleared and it is freed without any I/O, and what
    /// was written there is gone (the next read sees zeroes). True when it was discarded.
    mutating func discardLazyFree(_ pfn: Int) -> Bool {
        var mappings: [(Int, UInt64)] = []
        rmapWalk(pfn) { mm, address in mappings.append((mm, address)) }
        let bits = config.format.bits
        let redirtied = mappings.contains { (mm, a) in (mms[mm]!.table.leaf(at: a)?.entry ?? 0) & bits.dirty != 0 }
        if redirtied || frames[pfn].flags.contains(.dirty) {
            frames[pfn].flags.insert([.swapBacked, .dirty])
            putbackLRU(pfn, active: true)
            vmstat.pgactivate += 1
            return false
        }
        for (mm, a) in mappings {
            mms[mm]!.table.updateLeaf(a) { _ in 0 }
            mms[mm]!.anonPages -= 1
            mms[mm]!.shadow.remove(a >> 12)
            frames[pfn].mapcount -= 1
            flushTLB(mm: mm, pages: [a])
        }
        guard frames[pfn].mapcount == 0 else {
            putbackLRU(pfn, active: false)
            return false
        }
        freePage(pfn)
        vmstat.pglazyfreed += 1
        return true
    }

    /// Reclaims one page-cache page: unmapped everywhere, written back when dirty, dropped from
    /// the page cache and freed.
    mutating func reclaimFile(_ pfn: Int) -> Bool {
        tryToUnmapFile(pfn)
        guard frames[pfn].mapcount == 0 else { return false }
        if frames[pfn].flags.contains(.dirty) {
            writeBack(pfn)
            vmstat.nrVmscanWrite += 1
        }
        let file = Int(frames[pfn].file)
        files[file].shadows.set(frames[pfn].index, workingsetEviction(pfn))
        removeFromPageCache(pfn)
        return true
    }

    /// Reclaims one anonymous page: into the swap cache, unmapped everywhere, written out when
    /// dirty, then dropped from the swap cache and freed (`__remove_mapping`). False when it
    /// could not be (no swap slot, or the write failed).
    mutating func reclaimAnon(_ pfn: Int) -> Bool {
        guard swap != nil else { return false }
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
        let shadow = workingsetEviction(pfn)
        swap!.shadows[Int(frames[pfn].swap)] = shadow
        deleteFromSwapCache(pfn)
        freePage(pfn)
        return true
    }
}
