/// One processor's translation hardware: its TLB hierarchy, its paging-structure caches and its
/// counts, translating through whichever page table is current (CR3 / satp) with the address
/// space's tag (PCID / ASID). `MMU` is one CPU over a set of address spaces it owns; the kernel of
/// `vmsim run` gives each simulated CPU one of these and switches it between processes' tables.
///
///     var cpu = CPU(format: .x86_64, tlb: .skylake, walkCache: .default)
///     var frames = FrameAllocator(bytes: 1 << 30)
///     var table = try RadixPageTable(format: .x86_64, memory: &frames)
///     try table.map(VirtualAddress(0x1000), to: PhysicalAddress(0x20_0000), size: .base4K, flags: .userData, memory: &frames)
///     cpu.translate(0x1234, AccessIntent(.load), in: &table, pcid: 1).physical   // 0x20_0234
public struct CPU: Sendable {
    /// The page-table format the CPU walks.
    public let format: PageTableFormat
    /// The TLBs, with their contents and counts.
    public var tlb: TLBHierarchy
    /// The paging-structure caches, with their contents and counts.
    public var walkCache: WalkCache
    /// Translations, walks and faults so far.
    public var stats = TranslationStats()

    /// A CPU with empty TLBs and walk caches; `walkCaches: false` for page tables that have none
    /// (hashed and inverted tables).
    /// - Complexity: O(TLB entries + walk-cache entries).
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, walkCache: WalkCacheSpec = .default, walkCaches: Bool = true) {
        self.format = format
        self.tlb = TLBHierarchy(spec: tlb, basePageShift: format.basePage.shift)
        self.walkCache = walkCaches ? WalkCache(spec: walkCache, format: format) : WalkCache()
    }

    /// Translates `address` for `intent` through the TLBs and, on a miss, a walk of `table`,
    /// with TLB entries tagged `pcid`. A fault is a result; it also drops any cached translation
    /// of the address, as x86 does.
    /// - Complexity: O(ways) on a TLB hit; O(levels + walk-cache entries) on a miss.
    @inlinable
    public mutating func translate<T: PageTable>(_ address: UInt64, _ intent: AccessIntent, in table: inout T, pcid: UInt16) -> WalkResult {
        stats.translations &+= 1
        var hit = tlb.lookup(address, kind: intent.kind, asid: pcid, tier: 1)
        if hit == nil {
            hit = tlb.lookup(address, kind: intent.kind, asid: pcid, tier: 2)
            if let h = hit {
                tlb.fill(address, physical: h.physical, pageShift: h.pageShift, permissions: h.permissions,
                         kind: intent.kind, asid: pcid, tier: 1)
            }
        }
        if let h = hit {
            if format.allows(h.permissions, intent) {
                if intent.kind != .store || h.permissions.contains(.dirty) {
                    return WalkResult(physical: h.physical, level: 0, pageShift: h.pageShift, permissions: h.permissions)
                }
                // A store through a clean entry: the processor walks to set the dirty bit.
                stats.dirtyAssists &+= 1
                let r = walk(address, intent, in: &table, pcid: pcid)
                if r.succeeded { fillTLBs(address, r, intent.kind, pcid) }
                return r
            }
            // The cached permissions forbid it: the page fault re-walks and drops stale entries.
        }
        let r = walk(address, intent, in: &table, pcid: pcid)
        if r.succeeded {
            fillTLBs(address, r, intent.kind, pcid)
        } else if hit != nil {
            tlb.invalidate(address, asid: pcid)
        }
        return r
    }

    /// Caches a walk's translation in both tiers.
    @inlinable
    mutating func fillTLBs(_ address: UInt64, _ r: WalkResult, _ kind: AccessKind, _ pcid: UInt16) {
        tlb.fill(address, physical: r.physical, pageShift: r.pageShift, permissions: r.permissions, kind: kind, asid: pcid, tier: 2)
        tlb.fill(address, physical: r.physical, pageShift: r.pageShift, permissions: r.permissions, kind: kind, asid: pcid, tier: 1)
    }

    /// One walk of `table`, through the paging-structure caches.
    @inlinable
    mutating func walk<T: PageTable>(_ address: UInt64, _ intent: AccessIntent, in table: inout T, pcid: UInt16) -> WalkResult {
        let r: WalkResult
        if T.usesWalkCaches && !walkCache.caches.isEmpty {
            let start = format.isCanonical(address) ? walkCache.lookup(address, asid: pcid) : nil
            var filler = WalkCacheFiller(cache: WalkCache(), address: address, asid: pcid)
            swap(&filler.cache, &walkCache)
            r = table.walk(address, intent, start: start, recorder: &filler)
            swap(&filler.cache, &walkCache)
        } else {
            var none = NoWalkRecorder()
            r = table.walk(address, intent, start: nil, recorder: &none)
        }
        if r.fault != .nonCanonical { stats.walks &+= 1 }
        stats.walkReferences &+= UInt64(r.references)
        stats.walkUpdates &+= UInt64(r.updates)
        if UInt64(r.references) > stats.longestWalk { stats.longestWalk = UInt64(r.references) }
        if r.fault != .none { stats.faults[Int(r.fault.rawValue)] &+= 1 }
        return r
    }

    /// INVLPG / `sfence.vma addr`: drops the translations of `address` tagged `pcid` (and global
    /// ones) from every TLB level, and every paging-structure cache entry.
    /// - Complexity: O(TLB arrays × ways + walk-cache entries).
    public mutating func invalidate(_ address: UInt64, pcid: UInt16) {
        tlb.invalidate(address, asid: pcid)
        walkCache.flush()
    }

    /// A full flush (a CR3 write without PCIDs, or the kernel's `flush_tlb_all`): every TLB entry
    /// but the global ones when `keepGlobal`, and the paging-structure caches.
    /// - Complexity: O(TLB entries + walk-cache entries).
    public mutating func flush(keepGlobal: Bool) {
        tlb.flush(keepGlobal: keepGlobal)
        walkCache.flush()
    }

    /// Flushes every non-global translation tagged `pcid` and the paging-structure caches (a
    /// CR3 write of that PCID without the no-flush bit, as `switch_mm_irqs_off` does when it
    /// reuses a PCID, and `flush_tlb_mm_range` for more than 33 pages).
    /// - Complexity: O(TLB entries + walk-cache entries).
    public mutating func flush(pcid: UInt16) {
        tlb.flush(asid: pcid)
        walkCache.flush()
    }
}
