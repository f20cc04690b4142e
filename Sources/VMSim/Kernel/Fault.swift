/// The page-fault path of mm/memory.c and arch/x86/mm/fault.c: `do_user_addr_fault` finds the
/// VMA and checks the access (`access_error`), `handle_mm_fault` counts the fault and dispatches
/// on the page-table entry (`handle_pte_fault`): an empty entry to `do_anonymous_page` (the zero
/// page for a read, a zeroed frame for a write), a swap entry to `do_swap_page`, a write to a
/// write-protected entry to `do_wp_page` (reuse or copy).
enum FaultResult {
    /// The entry is fixed: translate again.
    case retry
    /// The task was killed.
    case killed(KillSignal)
}

extension Machine {
    mutating func handleMMFault(t: Int, address: UInt64, kind: AccessKind, walk: WalkResult) -> FaultResult {
        let mm = tasks[t].mm
        guard let vma = mms[mm]!.vmas.lookup(address) ?? mapOnTouch(mm: mm, address: address) else {
            return segfault(t, address, .segvMapErr)
        }
        // access_error(): a write needs VM_WRITE, an instruction fetch VM_EXEC, a read any access.
        let allowed: Bool
        switch kind {
        case .store: allowed = vma.flags.contains(.write)
        case .instruction: allowed = vma.flags.contains(.exec)
        case .load: allowed = !vma.flags.intersection(.protection).isEmpty
        }
        guard allowed else { return segfault(t, address, .segvAccErr) }
        vmstat.pgfault += 1
        let group = memcg(ofMM: mm)
        countMemcg(group, .pgfault)
        let page = address & ~4095
        let leaf = mms[mm]!.table.leaf(at: page)
        let entry = leaf?.entry ?? 0
        let bits = config.format.bits
        var major = false
        let outcome: FaultResult
        if entry == 0 && vma.file != nil {
            outcome = doFileFault(t: t, mm: mm, vma: vma, address: page, write: kind == .store, major: &major)
        } else if entry == 0 {
            if kind == .store && thpEligible(vma, page), let huge = doHugePMDAnonymousPage(t: t, mm: mm, vma: vma, address: page) {
                outcome = huge
            } else {
                outcome = doAnonymousPage(t: t, mm: mm, vma: vma, address: page, write: kind == .store)
            }
        } else if entry & bits.present == 0 {
            outcome = doSwapPage(t: t, mm: mm, vma: vma, address: page, entry: entry, write: kind == .store, major: &major)
        } else if kind == .store && entry & bits.writable == 0 && (leaf?.level ?? 0) < config.format.levels.count - 1 {
            outcome = doHugePMDWPPage(mm: mm, vma: vma, address: page, entry: entry)
        } else if kind == .store && entry & bits.writable == 0 {
            outcome = doWPPage(t: t, mm: mm, vma: vma, address: page, entry: entry)
        } else {
            // Spurious: the entry allows the access (a stale TLB entry was dropped by the walk).
            outcome = .retry
        }
        // mm_account_fault: pgfault counts every fault that reached handle_mm_fault, failed ones
        // too; min_flt / maj_flt only those that did not fail (VM_FAULT_ERROR: OOM, SIGBUS).
        if tasks[t].state == .running {
            if major { tasks[t].majorFaults += 1; vmstat.pgmajfault += 1; countMemcg(group, .pgmajfault) } else { tasks[t].minorFaults += 1 }
            updateHiwaterRSS(mm)
        } else {
            failedFaults += 1
        }
        runKswapdIfWoken()
        // The return to user: memory.high's reclaim and throttling (`resume_user_mode_work`).
        if tasks[t].memcgPagesOverHigh > 0 { handleOverHigh(t) }
        check()
        if tasks[t].state != .running { return .killed(tasks[t].signal ?? .oomKill) }
        return outcome
    }

    /// `force_sig_fault(SIGSEGV, code, address)`: the task dies, its memory is freed.
    mutating func segfault(_ t: Int, _ address: UInt64, _ signal: KillSignal) -> FaultResult {
        tasks[t].faultAddress = address
        endThreadGroup(of: t, state: .killed, signal: signal)
        return .killed(signal)
    }

    /// The leaf entry for a user page of `pfn` with `vma`'s permissions, writable only when
    /// `writable` (copy-on-write keeps private pages read-only until the fault).
    func userEntry(pfn: Int, vma: VMA, writable: Bool, dirty: Bool) -> UInt64 {
        var flags: PageFlags = [.user, .accessed]
        if !vma.flags.intersection(.protection).isEmpty { flags.insert(.read) }
        if writable && vma.flags.contains(.write) { flags.insert(.write) }
        if vma.flags.contains(.exec) { flags.insert(.execute) }
        if dirty { flags.insert(.dirty) }
        return config.format.bits.leafEntry(UInt64(pfn) << 12, flags: flags, huge: false)
    }

    /// Writes a leaf entry, allocating the page tables on the way (with reclaim); false when no
    /// memory could be found for them even after the OOM killer.
    mutating func installEntry(mm: Int, address: UInt64, entry: UInt64) -> Bool {
        do throws(MapError) {
            _ = try withReclaim { m throws(MapError) in try m.mms[mm]!.table.setLeaf(address, entry: entry, memory: &m.memory) }
            return mms[mm] != nil
        } catch {
            return false
        }
    }

    /// `do_anonymous_page`: a read maps the shared zero page read-only (no frame, no RSS); a
    /// write takes a zeroed frame (`vma_alloc_zeroed_movable_folio`), maps it writable and dirty,
    /// and adds it to the inactive anon list (`folio_add_lru_vma`) and the reverse map
    /// (`folio_add_new_anon_rmap`).
    mutating func doAnonymousPage(t: Int, mm: Int, vma: VMA, address: UInt64, write: Bool) -> FaultResult {
        // A replayed program's memory was resident when it read it (its image, its stack): a read
        // of a `[replay]` page takes a frame, as the page the program found there did.
        if !write && !(mm == replayMM && vma.name == Machine.replayName) {
            let zero = userEntry(pfn: zeroPfn, vma: vma, writable: false, dirty: false)
            guard installEntry(mm: mm, address: address, entry: zero) else { return .killed(tasks[t].signal ?? .oomKill) }
            return .retry
        }
        guard let pfn = allocUserPage(for: t) else { return .killed(tasks[t].signal ?? .oomKill) }
        newAnonPage(pfn, mm: mm, address: address, content: 0)
        guard installEntry(mm: mm, address: address, entry: userEntry(pfn: pfn, vma: vma, writable: true, dirty: true)) else {
            freePage(pfn)
            return .killed(tasks[t].signal ?? .oomKill)
        }
        guard mms[mm] != nil else { return .killed(tasks[t].signal ?? .oomKill) }
        mms[mm]!.anonPages += 1
        return .retry
    }

    /// `linear_page_index`: the page index of `address` in its VMA (vm_pgoff plus the offset).
    func linearPageIndex(mm: Int, _ address: UInt64) -> UInt64 {
        guard let vma = mms[mm]?.vmas.lookup(address) else { return address >> 12 }
        return vma.pgoff + ((address - vma.start) >> 12)
    }

    /// A fresh anonymous page mapped once at `address` of `mm`.
    mutating func newAnonPage(_ pfn: Int, mm: Int, address: UInt64, content: UInt64) {
        frames[pfn] = PageFrames.Frame(flags: [.anon, .swapBacked, .lru], mapcount: 1, anonVma: mms[mm]!.anonVma,
                                       swap: 0, index: linearPageIndex(mm: mm, address), content: content)
        folioAddLRU(pfn)
    }

    /// `do_wp_page`: a write to a write-protected present entry of a writable VMA. The zero page
    /// and pages mapped more than once are copied (`wp_page_copy`); a page mapped only here is
    /// reused in place (`wp_can_reuse_anon_folio`, `wp_page_reuse`, counted as `pgreuse`), its
    /// swap slot freed first when it has one nobody else needs.
    mutating func doWPPage(t: Int, mm: Int, vma: VMA, address: UInt64, entry: UInt64) -> FaultResult {
        let bits = config.format.bits
        let old = Int(bits.physicalAddress(entry) >> 12)
        if old != zeroPfn && frames[old].file >= 0 {
            if vma.flags.contains(.shared) {
                // wp_page_shared: the cached page becomes writable and dirty.
                let newEntry = userEntry(pfn: old, vma: vma, writable: true, dirty: true)
                mms[mm]!.table.updateLeaf(address) { _ in newEntry }
                frames[old].flags.insert(.dirty)
                flushTLB(mm: mm, pages: [address])
                return .retry
            }
            return copyToAnon(t: t, mm: mm, vma: vma, address: address, from: old, unmapOld: true)
        }
        if frames[old].flags.contains(.ksm) {
            return copyKSMPage(t: t, mm: mm, vma: vma, address: address, entry: entry, writable: true)
        }
        if old != zeroPfn {
            if frames[old].flags.contains(.swapCache) { tryFreeSwap(old) }
            if frames[old].mapcount == 1 && !frames[old].flags.contains(.swapCache) {
                let newEntry = userEntry(pfn: old, vma: vma, writable: true, dirty: true)
                mms[mm]!.table.updateLeaf(address) { _ in newEntry }
                frames[old].flags.insert(.dirty)
                vmstat.pgreuse += 1
                flushTLB(mm: mm, pages: [address])
                return .retry
            }
        }
        guard let pfn = allocUserPage(for: t) else { return .killed(tasks[t].signal ?? .oomKill) }
        guard mms[mm] != nil, let current = mms[mm]!.table.leaf(at: address)?.entry, current == entry else {
            // The entry changed while memory was found (reclaim swapped the page out): start over.
            freePage(pfn)
            return .retry
        }
        let copied = old == zeroPfn ? 0 : frames[old].content
        newAnonPage(pfn, mm: mm, address: address, content: copied)
        let newEntry = userEntry(pfn: pfn, vma: vma, writable: true, dirty: true)
        mms[mm]!.table.updateLeaf(address) { _ in newEntry }
        flushTLB(mm: mm, pages: [address])
        if old == zeroPfn {
            mms[mm]!.anonPages += 1
        } else {
            tasks[t].cowFaults += 1
            unmapPage(old)
        }
        return .retry
    }

    /// One mapping of `pfn` is gone (`folio_remove_rmap_pte` and the reference dropped): the page
    /// is freed with its last mapping unless the swap cache still holds it for other users.
    mutating func unmapPage(_ pfn: Int) {
        frames[pfn].mapcount -= 1
        guard frames[pfn].mapcount == 0 else { return }
        if frames[pfn].flags.contains(.swapCache) {
            tryFreeSwap(pfn)
            if frames[pfn].flags.contains(.swapCache) { return }
        }
        freePage(pfn)
    }

    /// A page (a huge page with its 511 others) leaves the LRU and goes back to the buddy allocator.
    mutating func freePage(_ pfn: Int) {
        lru.remove(Int32(pfn))
        if frames[pfn].flags.contains(.ksm) { ksmForget(pfn) }
        if memory.memcg.active { unchargePage(pfn, pages: frames[pfn].order == 9 ? Self.hugePages : 1) }
        if frames[pfn].order == 9 {
            for sub in pfn..<(pfn + Self.hugePages) { frames[sub] = PageFrames.Frame() }
        }
        frames[pfn] = PageFrames.Frame()
        memory.phys.freePages(pfn: pfn, cpu: currentCPU)
    }

    /// Flushes `pages` of address space `mm` from the CPU's TLB (`flush_tlb_mm_range`).
    /// `flush_tlb_mm_range` from the current CPU (arch/x86/mm/tlb.c): the address space's
    /// `tlb_gen` advances; when another CPU is in its `mm_cpumask`, `native_flush_tlb_multi`
    /// sends the flush to every CPU there (`nr_tlb_remote_flush` once, `nr_tlb_remote_flush_received`
    /// per CPU reached), skipping CPUs in lazy TLB mode unless page tables were freed (those
    /// drop the address space instead); otherwise only this CPU flushes, if it has it loaded.
    /// Each CPU flushes page by page up to 33 pages, fully beyond (`flush_tlb_func`). A CPU
    /// skipped catches up when it next loads the address space (`choose_new_asid`).
    mutating func flushTLB(mm: Int, pages: [UInt64], freedTables: Bool = false) {
        guard let context = mms[mm]?.contextID, !pages.isEmpty else { return }
        mms[mm]!.tlbGen += 1
        let gen = mms[mm]!.tlbGen, mask = mms[mm]!.cpumask, me = currentCPU
        if mask & ~(UInt64(1) << UInt64(me)) != 0 {
            vmstat.nrTLBRemoteFlush += 1
            for c in cpus.indices where mask & (UInt64(1) << UInt64(c)) != 0 {
                if c == me {
                    cpus[c].flushRange(contextID: context, pages: pages, tlbGen: gen, local: true, vmstat: &vmstat)
                } else if cpus[c].isLazy {
                    guard freedTables else { continue }
                    vmstat.nrTLBRemoteFlushReceived += 1
                    cpus[c].leaveLazy()
                    mms[mm]!.cpumask &= ~(UInt64(1) << UInt64(c))
                } else {
                    vmstat.nrTLBRemoteFlushReceived += 1
                    cpus[c].flushRange(contextID: context, pages: pages, tlbGen: gen, local: false, vmstat: &vmstat)
                }
            }
        } else if cpus[currentCPU].currentMM == mm {
            cpus[currentCPU].flushRange(contextID: context, pages: pages, tlbGen: gen, local: true, vmstat: &vmstat)
        }
    }
}
