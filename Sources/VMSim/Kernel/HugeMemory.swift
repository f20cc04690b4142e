/// Transparent huge pages for anonymous memory, as mm/huge_memory.c: `machine thp=always|madvise|never`
/// (`/sys/kernel/mm/transparent_hugepage/enabled`, default madvise). A write fault in a 2M-aligned
/// range inside an eligible VMA, where no page table of 4K entries exists yet, allocates an
/// order-9 page and maps it with one PMD entry (`do_huge_pmd_anonymous_page`, `thp_fault_alloc`);
/// when no order-9 block is free it falls back to 4K pages (`thp_fault_fallback`). munmap,
/// mprotect and madvise of part of a huge page split its PMD (`__split_huge_pmd`,
/// `thp_split_pmd`) and the page (`split_huge_page`, `thp_split_page`); so does reclaim, which
/// swaps 4K pages, and a copy-on-write fault on a huge page mapped twice.
public enum THPMode: String, CaseIterable, Sendable {
    case always, madvise, never
}

extension Machine {
    /// Pages in a PMD-mapped huge page (HPAGE_PMD_NR).
    public static let hugePages = 512
    static let hugeSize: UInt64 = 2 << 20

    /// `thp_vma_allowable_order` for an anonymous PMD fault at `address`: the mode allows the VMA
    /// (always unless VM_NOHUGEPAGE, madvise only with VM_HUGEPAGE), the VMA is private anonymous,
    /// and the aligned 2M range lies inside it.
    func thpEligible(_ vma: VMA, _ address: UInt64) -> Bool {
        guard vma.isAnonymous, !vma.flags.contains(.shared), config.format.level(mapping: .huge2M) != nil else { return false }
        switch config.thp {
        case .never: return false
        case .madvise: guard vma.flags.contains(.hugePage) else { return false }
        case .always: guard !vma.flags.contains(.noHugePage) else { return false }
        }
        let start = address & ~(Self.hugeSize - 1)
        return start >= vma.start && start + Self.hugeSize <= vma.end
    }

    /// The page-table level of 2M leaves.
    var pmdLevel: Int { config.format.level(mapping: .huge2M) ?? config.format.levels.count - 1 }

    /// The leaf entry for a huge page at `pfn` with `vma`'s permissions.
    func hugeEntry(pfn: Int, vma: VMA, writable: Bool) -> UInt64 {
        var flags: PageFlags = [.user, .accessed, .read]
        if writable && vma.flags.contains(.write) { flags.insert(.write) }
        if vma.flags.contains(.exec) { flags.insert(.execute) }
        if writable { flags.insert(.dirty) }
        return config.format.bits.leafEntry(UInt64(pfn) << 12, flags: flags, huge: true)
    }

    /// `do_huge_pmd_anonymous_page` for a write fault: nil when the fault must fall back to 4K
    /// pages (a PTE table exists already, no order-9 block is free, or the PMD cannot be set).
    mutating func doHugePMDAnonymousPage(t: Int, mm: Int, vma: VMA, address: UInt64) -> FaultResult? {
        let start = address & ~(Self.hugeSize - 1)
        // A PTE table covers the range already: the fault is a 4K one.
        guard mms[mm]!.table.leaf(at: start) == nil else { return nil }
        let a = memory.phys.allocate(order: 9, migratetype: .movable, cpu: currentCPU)
        guard let pfn = a.pfn else {
            vmstat.thpFaultFallback += 1
            return nil
        }
        noteAllocation(a.advice)
        // mem_cgroup_charge without direct reclaim (GFP_TRANSHUGE_LIGHT): a huge page that does
        // not fit the cgroup falls back to 4K pages (`thp_fault_fallback_charge`).
        let g = memcg(ofMM: mm)
        guard chargeMemcg(t: t, g, Self.hugePages, mode: .noReclaim) else {
            memory.phys.freePages(pfn: pfn, cpu: currentCPU)
            vmstat.thpFaultFallback += 1
            vmstat.thpFaultFallbackCharge += 1
            return nil
        }
        commitCharge(pfn, pages: Self.hugePages, g)
        do throws(MapError) {
            try mms[mm]!.table.setLeaf(start, entry: hugeEntry(pfn: pfn, vma: vma, writable: true), level: pmdLevel, memory: &memory)
        } catch {
            freePageToBuddy(pfn, pages: Self.hugePages)
            vmstat.thpFaultFallback += 1
            return nil
        }
        frames[pfn] = PageFrames.Frame(flags: [.anon, .swapBacked, .lru], mapcount: 1, anonVma: mms[mm]!.anonVma,
                                       swap: 0, index: linearPageIndex(mm: mm, start), content: 0)
        frames[pfn].order = 9
        for sub in (pfn + 1)..<(pfn + Self.hugePages) { frames[sub] = PageFrames.Frame() }
        folioAddLRU(pfn)
        mms[mm]!.anonPages += Self.hugePages
        vmstat.thpFaultAlloc += 1
        countMemcg(g, .thpFaultAlloc)
        return .retry
    }

    /// `do_huge_pmd_wp_page`: a write to a write-protected huge PMD. Mapped once: reused in place;
    /// mapped more than once (after fork): split, and the write copies one 4K page.
    mutating func doHugePMDWPPage(mm: Int, vma: VMA, address: UInt64, entry: UInt64) -> FaultResult {
        let pfn = Int(config.format.bits.physicalAddress(entry) >> 12)
        let start = address & ~(Self.hugeSize - 1)
        if frames[pfn].mapcount == 1 {
            let e = hugeEntry(pfn: pfn, vma: vma, writable: true)
            mms[mm]!.table.updateLeaf(start) { _ in e }
            flushTLB(mm: mm, pages: [start])
            return .retry
        }
        splitHugePage(pfn, isolated: false)
        return .retry
    }

    /// Splits the huge page that covers `address` in `mm`, if one does and it is not wholly inside
    /// `keep` (the range an operation covers entirely, which needs no split).
    mutating func splitHugePage(covering address: UInt64, mm: Int, unless keep: Range<UInt64>? = nil) {
        guard let (entry, level) = mms[mm]?.table.leaf(at: address), level < config.format.levels.count - 1,
              entry & config.format.bits.present != 0 else { return }
        let start = address & ~(Self.hugeSize - 1)
        if let keep, keep.lowerBound <= start && start + Self.hugeSize <= keep.upperBound { return }
        splitHugePage(Int(config.format.bits.physicalAddress(entry) >> 12), isolated: false)
    }

    /// Splits the huge pages a range operation cuts through at its ends (`vma_adjust_trans_huge`).
    mutating func splitHugePagesAtEnds(mm: Int, _ range: Range<UInt64>) {
        splitHugePage(covering: range.lowerBound, mm: mm, unless: range)
        if range.upperBound > range.lowerBound { splitHugePage(covering: range.upperBound - 1, mm: mm, unless: range) }
    }

    /// `split_huge_page`: every PMD mapping the huge page at `head` becomes a table of 512 PTEs
    /// (`__split_huge_pmd`, `thp_split_pmd` each), and the page becomes 512 order-0 pages with the
    /// same mappings, contents and LRU list (`thp_split_page`). `isolated`: the head is off the LRU
    /// (reclaim holds it) and stays off; the other pages join the list it came from.
    mutating func splitHugePage(_ head: Int, isolated: Bool) {
        guard frames[head].order == 9 else { return }
        let place = lruPlace(head) ?? isolatedPlace
        var mappings: [(Int, UInt64)] = []
        rmapWalk(head) { mm, address in mappings.append((mm, address)) }
        let bits = config.format.bits
        for (mm, start) in mappings {
            guard let (entry, _) = mms[mm]!.table.leaf(at: start) else { continue }
            mms[mm]!.table.updateLeaf(start) { _ in 0 }
            let writable = entry & bits.writable != 0, dirty = entry & bits.dirty != 0, young = entry & bits.accessed != 0
            let vma = mms[mm]!.vmas.lookup(start) ?? VMA(start: start, end: start + Self.hugeSize, flags: .mmap([.read, .write], shared: false))
            for i in 0..<Self.hugePages {
                var e = userEntry(pfn: head + i, vma: vma, writable: writable, dirty: dirty)
                if !young { e &= ~bits.accessed }
                // The PTE table comes from the buddy allocator's reserves, as the kernel's
                // deposited table would have.
                _ = try? mms[mm]!.table.setLeaf(start + UInt64(i) << 12, entry: e, memory: &memory)
            }
            flushTLB(mm: mm, pages: [start])
            vmstat.thpSplitPMD += 1
        }
        let base = frames[head]
        memory.phys.splitPage(pfn: head)
        for i in 0..<Self.hugePages {
            let content = frames[head + i].content
            frames[head + i] = PageFrames.Frame(flags: base.flags, mapcount: base.mapcount, anonVma: base.anonVma,
                                                swap: 0, index: base.index + UInt64(i), content: content)
            if i > 0 || !isolated {
                if i == 0 { lru.remove(Int32(head)) }
                lruAdd(head + i, at: place)
            }
        }
        vmstat.thpSplitPage += 1
    }

    /// Anonymous huge pages in use (`NR_ANON_THPS`).
    /// - Complexity: O(frames / 512) on average.
    public var anonHugePages: Int {
        var n = 0, pfn = 0
        while pfn < frames.frames.count {
            if frames[pfn].order == 9 { n += 1; pfn += Self.hugePages } else { pfn += 1 }
        }
        return n
    }
}
