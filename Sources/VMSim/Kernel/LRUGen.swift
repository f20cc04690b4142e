/// The multi-generational LRU of mm/vmscan.c (`CONFIG_LRU_GEN`, `machine lru=mglru`), as Linux
/// 6.14 and later run it, over the generation lists of the machine's `LRUVector` (the lists the
/// trace policy `mglru` uses).
///
/// - Placement (`lru_gen_add_folio`, `lru_gen_distance`): a page faulted in is active
///   (`folio_add_lru` in fault context) and joins generation `max_seq - 1`, or `max_seq` when it
///   is in the workingset; pages put back by reclaim go by the same distance table.
/// - Aging (`try_to_inc_max_seq`): `walk_mm` walks every address space's page tables
///   (`walk_pte_range`, `walk_pmd_range_locked` for huge pages), clearing each young entry
///   (`ptep_test_and_clear_young`); `folio_update_gen` marks a page seen young for the first time
///   PG_referenced and promotes one seen young again into the youngest generation, PG_workingset
///   set. Then `inc_max_seq` opens a generation, first retiring the oldest of a type that holds
///   four (`inc_min_seq`, its pages moved into the next).
/// - Eviction (`try_to_shrink_lruvec` → `evict_folios`): `get_nr_to_scan` (`should_run_aging`;
///   aging instead of eviction below the default priority when only the minimum of generations
///   is left), `get_type_to_scan` with the refault feedback of the PID controller
///   (`read_ctrl_pos`, `positive_ctrl_err`, `reset_ctrl_pos`), `scan_folios` from the tail of the
///   oldest generation (`sort_folio` protecting tiers above `get_tier_idx`, `isolate_folio`, at most
///   MIN_LRU_BATCH pages isolated), `try_to_inc_min_seq`, then `shrink_folio_list` with
///   `lru_gen_folio_check_references` (a referenced page is kept once, activated when referenced
///   again: `lru_gen_set_refs`) and the rmap walk's `lru_gen_look_around`.
/// - Refaults (mm/workingset.c `lru_gen_eviction`, `lru_gen_test_recent`, `lru_gen_refault`): the
///   shadow holds `min_seq` at eviction; a refault within MAX_NR_GENS of `max_seq` is recent.
extension Machine {
    /// `MIN_LRU_BATCH` (BITS_PER_LONG) and `MAX_LRU_BATCH`.
    static let minLRUBatch = 64, maxLRUBatch = 64 * 64
    /// `MAX_NR_TIERS`.
    static let maxTiers = 4

    /// Whether this machine reclaims with the multi-generational LRU (`lru_gen_enabled()`).
    var lruGenEnabled: Bool { config.lru == .mglru }

    /// `folio_is_file_lru`: file pages and lazily freed anonymous ones (not swap-backed).
    func lruType(_ pfn: Int) -> LRUVector.PageType { LRUVector.PageType(file: !frames[pfn].flags.contains(.swapBacked)) }

    // MARK: Joining and leaving the lists

    /// `folio_add_lru` in fault context: a new page joins the LRU (the inactive list of its type;
    /// with MGLRU, as an active page).
    mutating func folioAddLRU(_ pfn: Int) { putbackLRU(pfn, active: lruGenEnabled) }

    /// `lruvec_add_folio` (`move_folios_to_lru` after reclaim): `pfn` rejoins the LRU, on the
    /// active or the inactive list of its type, or with MGLRU in the generation
    /// `lru_gen_distance` gives (PG_active only counts while the page is off the lists).
    mutating func putbackLRU(_ pfn: Int, active: Bool) {
        let order = frames[pfn].order
        if lruGenEnabled {
            lru.add(Int32(pfn), generation: lruGenSeq(pfn, active: active), type: lruType(pfn), order: order)
        } else {
            let file = lruType(pfn) == .file
            lru.add(Int32(pfn), to: active ? .active(file: file) : .inactive(file: file), order: order)
        }
    }

    /// A page whose type changed (MADV_FREE's `lru_lazyfree`) leaves its list and rejoins as an
    /// inactive page of its new type.
    mutating func lruReadd(_ pfn: Int) {
        lru.remove(Int32(pfn))
        putbackLRU(pfn, active: false)
    }

    /// Where a page is on the LRU, of either kind.
    enum LRUPlace: Equatable { case list(LRUVector.List), generation(UInt64, LRUVector.PageType) }

    func lruPlace(_ pfn: Int) -> LRUPlace? {
        if let l = lru.list(of: Int32(pfn)) { return .list(l) }
        if let (seq, type) = lru.generation(of: Int32(pfn)) { return .generation(seq, type) }
        return nil
    }

    /// `pfn` joins the LRU at `place` (a split huge page's pages join its head's list or generation).
    mutating func lruAdd(_ pfn: Int, at place: LRUPlace) {
        switch place {
        case .list(let l): lru.add(Int32(pfn), to: l, order: frames[pfn].order)
        case .generation(let seq, let type): lru.add(Int32(pfn), generation: max(seq, lru.minSeq(type)), type: type, order: frames[pfn].order)
        }
    }

    /// The place a page taken off the lists by reclaim (isolated) came from, for pages split from it.
    var isolatedPlace: LRUPlace { lruGenEnabled ? .generation(lru.minSeq(.anon), .anon) : .list(.inactiveAnon) }

    /// `lru_gen_folio_seq` / `lru_gen_distance`: the generation `pfn` joins. Distances: 0 when
    /// reclaiming; 2 for an active page, 3 for an active page in the workingset (both counted from
    /// `max_seq`: `max_seq - 1`, `max_seq`); 1 for a page in the workingset or an anonymous page
    /// not in the swap cache; else 0 (counted from `min_seq`).
    func lruGenSeq(_ pfn: Int, active: Bool, reclaiming: Bool = false) -> UInt64 {
        let f = frames[pfn].flags, type = lruType(pfn)
        let dist: Int
        if reclaiming { dist = 0 }
        else if active { dist = LRUVector.minGenerations + (f.contains(.workingset) ? 1 : 0) }
        else if f.contains(.workingset) { dist = LRUVector.minGenerations - 1 }
        else if type == .anon && !f.contains(.swapCache) { dist = LRUVector.minGenerations - 1 }
        else { dist = 0 }
        if dist < LRUVector.minGenerations { return lru.minSeq(type) + UInt64(dist) }
        return lru.maxSeq + UInt64(dist) - UInt64(LRUVector.minGenerations) - 1
    }

    /// Pages on the active or inactive LRU of a type, in the kernel's counters (`NR_LRU_BASE + lru`):
    /// with MGLRU, the two youngest generations count as active (`lru_gen_is_active`).
    /// - Complexity: O(1).
    public func lruPages(_ list: LRUVector.List) -> Int {
        guard lruGenEnabled else { return lru.pages(list) }
        if list == .unevictable { return 0 }
        return lru.pages(LRUVector.PageType(file: list.isFile), active: list.isActive)
    }

    // MARK: Referenced pages

    /// `folio_update_gen` (the aging walk) and `walk_update_folio` (look-around): a page found
    /// young is marked PG_referenced the first time; after that it goes to the youngest
    /// generation with PG_workingset set.
    mutating func lruGenPromote(_ pfn: Int) {
        if !frames[pfn].flags.contains(.referenced) && !frames[pfn].flags.contains(.workingset) {
            frames[pfn].flags.insert(.referenced)
            return
        }
        guard let seq = lru.seq(of: Int32(pfn)) else { return }
        frames[pfn].flags.remove(.referenced)
        frames[pfn].flags.insert(.workingset)
        if seq != lru.maxSeq { lru.move(Int32(pfn), toGeneration: lru.maxSeq) }
    }

    /// `lru_gen_set_refs`: a page found referenced by the rmap walk is kept once (PG_referenced),
    /// then activated (PG_workingset). True to activate.
    mutating func lruGenSetRefs(_ pfn: Int) -> Bool {
        if !frames[pfn].flags.contains(.referenced) && !frames[pfn].flags.contains(.workingset) {
            frames[pfn].flags.insert(.referenced)
            return false
        }
        frames[pfn].flags.remove(.referenced)
        frames[pfn].flags.insert(.workingset)
        return true
    }

    /// A present young leaf of a page on the generation lists: its pfn, or nil.
    func youngLRUPage(_ entry: UInt64) -> Int? {
        let bits = config.format.bits
        guard entry & bits.present != 0, entry & bits.accessed != 0 else { return nil }
        let pfn = Int(bits.physicalAddress(entry) >> 12)
        guard pfn < frames.frames.count, pfn != zeroPfn, lru.generation(of: Int32(pfn)) != nil else { return nil }
        return pfn
    }

    /// `lru_gen_look_around`: after the rmap walk found `address` young (its bit already cleared),
    /// the neighbouring entries of the same PTE table within the VMA (at most MIN_LRU_BATCH pages
    /// around it) that are young are cleared and their pages promoted.
    mutating func lruGenLookAround(mm: Int, address: UInt64) {
        guard let vma = mms[mm]!.vmas.lookup(address) else { return }
        let last = config.format.levels[config.format.levels.count - 1]
        let tableSpan = UInt64(1) << (UInt64(last.shift) + UInt64(last.indexBits))
        var start = max(address & ~(tableSpan - 1), vma.start)
        var end = min(address | (tableSpan - 1), vma.end - 1) + 1
        let batch = UInt64(Self.minLRUBatch) * 4096
        if end - start == 4096 { return }
        if end - start > batch {
            if address - start < batch / 2 { end = start + batch }
            else if end - address < batch / 2 { start = end - batch }
            else { start = address - batch / 2; end = address + batch / 2 }
        }
        let leafLevel = config.format.levels.count - 1
        var a = start
        while a < end {
            defer { a += 4096 }
            guard a != address, let (entry, level) = mms[mm]!.table.leaf(at: a), level == leafLevel,
                  let pfn = youngLRUPage(entry) else { continue }
            _ = mms[mm]!.table.testAndClearYoung(a)
            lruGenPromote(pfn)
        }
    }

    // MARK: Aging

    /// The generations, as /sys/kernel/debug/lru_gen shows them (`lru_gen_seq_show`: one line per
    /// generation from the oldest, its sequence number and its anonymous and file pages, `-` for
    /// a type whose oldest generation is younger), without the age column (the model has no
    /// clock) and with the two generations that count as active marked. Nil with the two-list LRU.
    /// - Complexity: O(MAX_NR_GENS).
    public var lruGenText: String? {
        guard lruGenEnabled else { return nil }
        var out = "memcg     0 /\n node     0\n"
        var seq = min(lru.minSeq(.anon), lru.minSeq(.file))
        while seq <= lru.maxSeq {
            func column(_ type: LRUVector.PageType) -> String {
                let v = seq < lru.minSeq(type) ? "-" : "\(lru.pages(seq: seq, type))"
                return String(repeating: " ", count: max(0, 11 - v.count)) + v
            }
            let s = "\(seq)"
            out += String(repeating: " ", count: max(0, 11 - s.count)) + s + column(.anon) + column(.file)
                + (lru.isActive(seq: seq) ? "  active" : "") + "\n"
            seq += 1
        }
        return out
    }

    /// Runs the aging once, as writing `+ memcg_id node_id max_gen_nr` to
    /// /sys/kernel/debug/lru_gen does (`run_aging` → `try_to_inc_max_seq`): the page-table walk,
    /// then a new generation. Nothing happens with the two-list LRU.
    /// - Complexity: O(page-table entries mapped).
    public mutating func lruGenRunAging() {
        guard lruGenEnabled else { return }
        lruGenTryToIncMaxSeq(swappiness: lruGenSwappiness)
    }

    /// `get_swappiness`: 0 when fewer than MIN_LRU_BATCH swap slots are free (anonymous pages
    /// cannot be reclaimed), else vm.swappiness.
    var lruGenSwappiness: Int { (swap?.freePages ?? 0) < Self.minLRUBatch ? 0 : config.swappiness }

    /// `for_each_evictable_type`: file only with swappiness 0, else anon and file.
    func evictableTypes(_ swappiness: Int) -> [LRUVector.PageType] { swappiness == 0 ? [.file] : [.anon, .file] }

    /// `evictable_min_seq`.
    func evictableMinSeq(_ swappiness: Int) -> UInt64 {
        evictableTypes(swappiness).map { lru.minSeq($0) }.min()!
    }

    /// `should_skip_vma`: inaccessible mappings always; anonymous and shmem mappings when
    /// anonymous pages cannot be reclaimed.
    func lruGenSkipsVMA(_ vma: VMA, swappiness: Int) -> Bool {
        if !vma.flags.contains(.read) && !vma.flags.contains(.write) && !vma.flags.contains(.exec) { return true }
        if vma.isAnonymous { return swappiness == 0 }
        if let f = vma.file, files[f].shmem { return swappiness == 0 }
        return false
    }

    /// `walk_mm`: every leaf of every VMA the walk does not skip; young ones are cleared and
    /// their pages promoted (`walk_pte_range`, and `walk_pmd_range_locked` for huge pages).
    mutating func lruGenWalkMM(_ mm: Int, swappiness: Int) {
        var young: [(UInt64, Int)] = []
        for vma in mms[mm]!.vmas.vmas where !lruGenSkipsVMA(vma, swappiness: swappiness) {
            mms[mm]!.table.forEachLeaf(in: vma.start..<vma.end) { address, entry, _ in
                if let pfn = youngLRUPage(entry) { young.append((address, pfn)) }
            }
        }
        for (address, pfn) in young where mms[mm]!.table.testAndClearYoung(address) { lruGenPromote(pfn) }
    }

    /// `try_to_inc_max_seq`: the page-table walk over every address space (`iterate_mm_list`),
    /// then `inc_max_seq`.
    mutating func lruGenTryToIncMaxSeq(swappiness: Int) {
        for mm in mms.indices where mms[mm] != nil { lruGenWalkMM(mm, swappiness: swappiness) }
        lruGenIncMaxSeq(swappiness: swappiness)
    }

    /// `inc_max_seq`: a type holding MAX_NR_GENS generations first retires its oldest
    /// (`inc_min_seq`: its pages move into the next one, counted as protected, unless the type
    /// is not evictable), then `max_seq` advances.
    mutating func lruGenIncMaxSeq(swappiness: Int) {
        for type in LRUVector.PageType.allCases where lru.generations(type) == LRUVector.maxGenerations {
            let evictable = type == .file || swappiness > 0
            let moved = lru.incMinSeq(type, moving: evictable)
            for f in moved {
                frames[Int(f)].flags.remove(.referenced)   // folio_inc_gen clears LRU_REFS_FLAGS
                lruGenCtrl.protected[type.rawValue][tier(Int(f))] += 1 << Int(frames[Int(f)].order)
            }
            resetCtrlPos(type)
        }
        lru.incMaxSeq()
    }

    /// `try_to_inc_min_seq`: each evictable type's `min_seq` moves past empty generations (never
    /// below MIN_NR_GENS), anon and file kept within reach of each other. True when one moved.
    mutating func lruGenTryToIncMinSeq(swappiness: Int) -> Bool {
        var minSeq = [lru.minSeq(.anon), lru.minSeq(.file)]
        var moved = false
        for type in evictableTypes(swappiness) {
            while minSeq[type.rawValue] + UInt64(LRUVector.minGenerations) <= lru.maxSeq && lru.count(seq: minSeq[type.rawValue], type) == 0 {
                minSeq[type.rawValue] += 1
                moved = true
            }
        }
        guard moved else { return false }
        if swappiness > 0 && swappiness <= 200 {
            let seq = lru.maxSeq - UInt64(LRUVector.minGenerations)
            if minSeq[0] > seq && minSeq[1] < seq { minSeq[0] = seq }
            else if minSeq[1] > seq && minSeq[0] < seq { minSeq[1] = seq }
        }
        var success = false
        for type in evictableTypes(swappiness) where minSeq[type.rawValue] > lru.minSeq(type) {
            resetCtrlPos(type)
            lru.setMinSeq(type, minSeq[type.rawValue])
            success = true
        }
        return success
    }

    // MARK: The refault feedback

    /// `lru_tier_from_refs`: pages in the workingset are in the last tier; pages accessed only
    /// through page tables have no file-descriptor references, so the others are in tier 0.
    func tier(_ pfn: Int) -> Int { frames[pfn].flags.contains(.workingset) ? Self.maxTiers - 1 : 0 }

    struct CtrlPos { var refaulted: Int, total: Int, gain: Int }

    /// `read_ctrl_pos`: one tier, or all of them (`tier` = MAX_NR_TIERS).
    func readCtrlPos(_ type: LRUVector.PageType, tier: Int, gain: Int) -> CtrlPos {
        var p = CtrlPos(refaulted: 0, total: 0, gain: gain)
        let c = lruGenCtrl, t = type.rawValue
        for i in (tier % Self.maxTiers)...min(tier, Self.maxTiers - 1) {
            p.refaulted += c.avgRefaulted[t][i] + c.refaulted[t][i]
            p.total += c.avgTotal[t][i] + c.protected[t][i] + c.evicted[t][i]
        }
        return p
    }

    /// `positive_ctrl_err`: the process variable has few refaults, or a refault rate no higher
    /// than the set point's.
    func positiveCtrlErr(_ sp: CtrlPos, _ pv: CtrlPos) -> Bool {
        pv.refaulted < Self.minLRUBatch || pv.refaulted * (sp.total + Self.minLRUBatch) * sp.gain <= (sp.refaulted + 1) * pv.total * pv.gain
    }

    /// `reset_ctrl_pos` with carry-over (NR_HIST_GENS 1): when `min_seq[type]` advances, the
    /// averages take half of themselves plus half of the generation's counts, which restart.
    mutating func resetCtrlPos(_ type: LRUVector.PageType) {
        let t = type.rawValue
        for i in 0..<Self.maxTiers {
            lruGenCtrl.avgRefaulted[t][i] = (lruGenCtrl.avgRefaulted[t][i] + lruGenCtrl.refaulted[t][i]) / 2
            lruGenCtrl.avgTotal[t][i] = (lruGenCtrl.avgTotal[t][i] + lruGenCtrl.protected[t][i] + lruGenCtrl.evicted[t][i]) / 2
            lruGenCtrl.refaulted[t][i] = 0
            lruGenCtrl.evicted[t][i] = 0
            lruGenCtrl.protected[t][i] = 0
        }
    }

    /// `get_type_to_scan`: file with swappiness 0 or 1, anon with 200; otherwise the type whose
    /// refault rate, weighted by swappiness : 200 - swappiness, is lower.
    func lruGenTypeToScan(_ swappiness: Int) -> LRUVector.PageType {
        if swappiness <= 1 { return .file }
        if swappiness >= 200 { return .anon }
        let sp = readCtrlPos(.anon, tier: Self.maxTiers, gain: swappiness)
        let pv = readCtrlPos(.file, tier: Self.maxTiers, gain: 200 - swappiness)
        return positiveCtrlErr(sp, pv) ? .file : .anon
    }

    /// `get_tier_idx`: the last tier not to protect (tiers above it whose refault rate exceeds
    /// the first tier's by 3:2 are protected by `sort_folio`).
    func lruGenTierIdx(_ type: LRUVector.PageType) -> Int {
        let sp = readCtrlPos(type, tier: 0, gain: 2)
        var t = 1
        while t < Self.maxTiers {
            if !positiveCtrlErr(sp, readCtrlPos(type, tier: t, gain: 3)) { break }
            t += 1
        }
        return t - 1
    }

    /// `lru_gen_eviction`: the shadow entry (`min_seq` of the type at eviction, and PG_workingset),
    /// the eviction counted for the PID controller.
    mutating func lruGenEviction(_ pfn: Int) -> UInt64 {
        let type = lruType(pfn)
        lruGenCtrl.evicted[type.rawValue][tier(pfn)] += 1 << Int(frames[pfn].order)
        return lru.minSeq(type) << 1 | (frames[pfn].flags.contains(.workingset) ? 1 : 0)
    }

    /// `lru_gen_refault` for a page read back in whose slot held `shadow`: counted; recent
    /// (`lru_gen_test_recent`: the eviction's `min_seq` within MAX_NR_GENS of `max_seq`) it counts
    /// for the PID controller and, being a fault, as an activation; a page that was in the
    /// workingset is restored to it (and so to the youngest generation).
    mutating func lruGenRefault(_ pfn: Int, shadow: UInt64) {
        let type = lruType(pfn)
        countWorkingset(.refault, file: type == .file)
        let token = shadow >> 1, workingset = shadow & 1 != 0
        let distance = lru.maxSeq > token ? lru.maxSeq - token : token - lru.maxSeq
        guard distance < UInt64(LRUVector.maxGenerations) else { return }
        lruGenCtrl.refaulted[type.rawValue][workingset ? Self.maxTiers - 1 : 0] += 1
        countWorkingset(.activate, file: type == .file)
        guard workingset else { return }
        frames[pfn].flags.insert(.workingset)
        countWorkingset(.restore, file: type == .file)
        if lru.generation(of: Int32(pfn)) != nil { lru.move(Int32(pfn), toGeneration: lruGenSeq(pfn, active: true)) }
    }

    // MARK: Eviction

    /// `lru_gen_shrink_node` → `shrink_one` → `try_to_shrink_lruvec`: `set_initial_priority`,
    /// then `evict_folios` until `get_nr_to_scan` says stop (or ages instead), the pages to
    /// scan are scanned, or `should_abort_scan`. Returns the pages put through
    /// `shrink_folio_list` (`sc->nr_scanned`) and reclaimed.
    mutating func lruGenShrinkNode(priority: inout Int, nrToReclaim: Int, kswapd: Bool) -> (scanned: Int, reclaimed: Int) {
        setInitialPriority(&priority, nrToReclaim: nrToReclaim)
        let swappiness = lruGenSwappiness
        var scanned = 0, nrScanned = 0, reclaimed = 0
        while true {
            let nrToScan = lruGenNrToScan(priority: priority, swappiness: swappiness)
            if nrToScan <= 0 { break }
            let r = evictFolios(nrToScan, swappiness: swappiness, kswapd: kswapd)
            nrScanned += r.isolated
            reclaimed += r.reclaimed
            if r.scanned == 0 { break }
            scanned += r.scanned
            if scanned >= nrToScan { break }
            if shouldAbortScan(reclaimed: reclaimed, nrToReclaim: nrToReclaim, kswapd: kswapd) { break }
        }
        return (nrScanned, reclaimed)
    }

    /// `set_initial_priority`: at DEF_PRIORITY with at least MIN_LRU_BATCH pages to reclaim, the
    /// priority at which the inactive pages shifted down give about that many, within
    /// [DEF_PRIORITY / 2, DEF_PRIORITY].
    func setInitialPriority(_ priority: inout Int, nrToReclaim: Int) {
        guard priority == Self.defPriority, nrToReclaim >= Self.minLRUBatch else { return }
        var reclaimable = lruPages(.inactiveFile)
        if (swap?.freePages ?? 0) > 0 { reclaimable += lruPages(.inactiveAnon) }
        func fls(_ x: Int) -> Int { x == 0 ? 0 : Int.bitWidth - x.leadingZeroBitCount }
        let p = fls(reclaimable) - 1 - fls(nrToReclaim - 1)
        priority = min(max(p, Self.defPriority / 2), Self.defPriority)
    }

    /// `should_abort_scan`: enough reclaimed; for kswapd also every zone above its high watermark
    /// plus MIN_LRU_BATCH.
    func shouldAbortScan(reclaimed: Int, nrToReclaim: Int, kswapd: Bool) -> Bool {
        if reclaimed >= nrToReclaim { return true }
        guard kswapd else { return false }
        return memory.phys.zones.allSatisfy { $0.nrFreePages > $0.watermarks.high + Self.minLRUBatch }
    }

    /// `get_nr_to_scan` with `should_run_aging`: the evictable pages shifted by the priority;
    /// when only the minimum of generations is left (or one more), aging runs instead below
    /// DEF_PRIORITY (and the scan of this lruvec stops: -1).
    mutating func lruGenNrToScan(priority: Int, swappiness: Int) -> Int {
        let emin = evictableMinSeq(swappiness)
        var success = true, total = 0
        if emin + UInt64(LRUVector.minGenerations) <= lru.maxSeq {
            for type in evictableTypes(swappiness) {
                var s = lru.minSeq(type)
                while s <= lru.maxSeq { total += lru.pages(seq: s, type); s += 1 }
            }
            success = emin + UInt64(LRUVector.minGenerations) == lru.maxSeq
        }
        if !success || priority == Self.defPriority { return total >> priority }
        lruGenTryToIncMaxSeq(swappiness: swappiness)
        return -1
    }

    /// `evict_folios`: `isolate_folios` (the type `get_type_to_scan` picks, else the other),
    /// `try_to_inc_min_seq`, then `shrink_folio_list` over what was isolated. Returns the pages
    /// scanned (0 when nothing could be), isolated and reclaimed.
    mutating func evictFolios(_ nrToScan: Int, swappiness: Int, kswapd: Bool) -> (scanned: Int, isolated: Int, reclaimed: Int) {
        var type = lruGenTypeToScan(swappiness)
        var scanned = 0, list: [Int32] = []
        for _ in evictableTypes(swappiness) {
            (scanned, list) = scanFolios(nrToScan, type: type, tierIdx: lruGenTierIdx(type), kswapd: kswapd)
            if scanned > 0 { break }
            type = type == .anon ? .file : .anon
        }
        if lruGenTryToIncMinSeq(swappiness: swappiness) { scanned += 1 }
        if evictableMinSeq(swappiness) + UInt64(LRUVector.minGenerations) > lru.maxSeq { scanned = 0 }
        guard !list.isEmpty else { return (scanned, 0, 0) }
        let isolated = list.reduce(0) { $0 + (1 << Int(frames[Int($1)].order)) }
        let reclaimed = lruGenShrinkFolioList(list, type: type)
        countSteal(reclaimed, file: type == .file, kswapd: kswapd)
        return (scanned, isolated, reclaimed)
    }

    /// `scan_folios`: from the tail of the oldest generation of `type`, pages in a protected tier
    /// move to the next generation (`sort_folio`, counted in pgrefill and as protected); the others
    /// are isolated, until MIN_LRU_BATCH pages are or `nr_to_scan` (at most MAX_LRU_BATCH) pages
    /// were looked at. Nothing is scanned when the type has only MIN_NR_GENS generations.
    mutating func scanFolios(_ nrToScan: Int, type: LRUVector.PageType, tierIdx: Int, kswapd: Bool) -> (scanned: Int, list: [Int32]) {
        guard lru.generations(type) > LRUVector.minGenerations else { return (0, []) }
        let seq = lru.minSeq(type)
        var remaining = min(nrToScan, Self.maxLRUBatch)
        var scanned = 0, sorted = 0, isolated = 0, list: [Int32] = []
        while remaining > 0 {
            let f = lru.tail(seq: seq, type)
            guard f >= 0 else { break }
            let delta = 1 << Int(frames[Int(f)].order)
            scanned += delta
            let t = tier(Int(f))
            if t > tierIdx {
                frames[Int(f)].flags.remove(.referenced)
                lru.move(f, toGeneration: seq + 1)
                lruGenCtrl.protected[type.rawValue][t] += delta
                sorted += delta
            } else {
                lru.remove(f)
                list.append(f)
                isolated += delta
            }
            remaining -= 1
            if isolated >= Self.minLRUBatch { break }
        }
        countScan(isolated, file: type == .file, kswapd: kswapd)
        vmstat.pgrefill += sorted
        return (isolated > 0 || remaining == 0 ? scanned : 0, list)
    }

    /// `shrink_folio_list` with `lru_gen_folio_check_references`, then `evict_folios`' put-back:
    /// referenced pages are kept (PG_referenced) or activated (PG_workingset), unreferenced ones
    /// reclaimed as the two-list reclaim does (swap, write-back, lazy free); a page that cannot
    /// be is activated. A kept page that would rejoin the oldest generation is activated instead
    /// ("don't add rejected folios to the oldest generation"). Returns the pages reclaimed.
    mutating func lruGenShrinkFolioList(_ list: [Int32], type: LRUVector.PageType) -> Int {
        var reclaimed = 0
        for f in list {
            let pfn = Int(f)
            var activate = false
            if folioReferenced(pfn) > 0 {
                activate = lruGenSetRefs(pfn)
            } else if reclaimFolio(pfn, fileList: type == .file) {
                reclaimed += 1
                continue
            } else {
                activate = true
            }
            if lru.isOnList(f) { continue }   // a lazily freed page the attempt put back
            if activate {
                vmstat.pgactivate += 1
            } else if lruGenSeq(pfn, active: false) == lru.minSeq(lruType(pfn)) {
                frames[pfn].flags.remove(.referenced)
                activate = true
            }
            putbackLRU(pfn, active: activate)
        }
        return reclaimed
    }
}

/// The PID controller's counters of `struct lru_gen_folio` (NR_HIST_GENS 1), per type and tier:
/// pages refaulted, evicted and protected since `min_seq` last advanced, and their averages.
struct LRUGenCtrl: Sendable {
    var refaulted = [[Int]](repeating: [0, 0, 0, 0], count: 2)
    var evicted = [[Int]](repeating: [0, 0, 0, 0], count: 2)
    var protected = [[Int]](repeating: [0, 0, 0, 0], count: 2)
    var avgRefaulted = [[Int]](repeating: [0, 0, 0, 0], count: 2)
    var avgTotal = [[Int]](repeating: [0, 0, 0, 0], count: 2)
}
