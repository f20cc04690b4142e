/// A swap device (`struct swap_info_struct`, mm/swapfile.c): page slots with their use counts
/// (`swap_map`), slot 0 the header as on disk, and the swap cache (mm/swap_state.c) mapping
/// slots to the frames that hold them. Every page written out really goes to the backing file
/// and comes back from it.
public struct SwapDevice {
    /// Slots, the header included.
    public let slots: Int
    /// `swap_map`: page-table entries (and forked copies) referring to each slot.
    public internal(set) var swapMap: ContiguousArray<UInt16>
    /// Whether the swap cache holds the slot (`SWAP_HAS_CACHE`).
    var cached: ContiguousArray<Bool>
    /// The swap cache: slot → pfn.
    var cache: [Int: Int] = [:]
    /// Shadow entries left in freed swap-cache slots (`workingset_eviction`), by slot.
    var shadows: [Int: UInt64] = [:]
    /// Slots in use (a count or the cache).
    public internal(set) var inUse = 0
    /// Where the next slot search starts (`si->cluster_next`).
    var cursor = 1
    /// The memory cgroup charged for each slot (`swap_cgroup`; empty until a cgroup exists).
    var slotGroup: ContiguousArray<UInt16> = []
    let backing: SwapBacking

    init(slots: Int, backing: SwapBacking) {
        self.slots = max(slots, 2)
        swapMap = ContiguousArray(repeating: 0, count: self.slots)
        cached = ContiguousArray(repeating: false, count: self.slots)
        self.backing = backing
    }

    /// Usable slots (the header excluded): `total_swap_pages`.
    public var totalPages: Int { slots - 1 }
    /// Free slots: `nr_swap_pages`.
    public var freePages: Int { totalPages - inUse }

    /// `folio_alloc_swap` / `scan_swap_map_slots`: the next free slot from the cursor, or nil.
    mutating func allocateSlot() -> Int? {
        guard freePages > 0 else { return nil }
        var s = cursor
        for _ in 0..<slots {
            if s >= slots { s = 1 }
            if swapMap[s] == 0 && !cached[s] {
                cursor = s + 1
                inUse += 1
                return s
            }
            s += 1
        }
        return nil
    }

    /// Frees a slot nobody refers to any more (`swap_entry_range_free`); returns the cgroup whose
    /// swap charge it held (0: none).
    @discardableResult
    mutating func releaseIfUnused(_ slot: Int) -> Int {
        guard swapMap[slot] == 0 && !cached[slot] else { return 0 }
        inUse -= 1
        shadows[slot] = nil
        guard !slotGroup.isEmpty else { return 0 }
        defer { slotGroup[slot] = 0 }
        return Int(slotGroup[slot])
    }

    /// The x86-64 swap PTE (`__swp_entry` + `__swp_entry_to_pte`: the offset stored inverted above
    /// bit 9, type 0, present clear), or RISC-V's (offset above bit 12, V clear).
    static func entry(slot: Int, format: PageTableFormat) -> UInt64 {
        let offset = UInt64(slot)
        if format.bits.family == .x86 {
            return (~offset << 14) >> 5   // SWP_OFFSET_SHIFT 14, SWP_TYPE_BITS 5, type 0
        }
        return offset << 12
    }

    /// The slot a swap PTE names (`__swp_offset`).
    static func slot(entry: UInt64, format: PageTableFormat) -> Int {
        if format.bits.family == .x86 { return Int(truncatingIfNeeded: ~(entry << 5) >> 14) }
        return Int(truncatingIfNeeded: entry >> 12)
    }

    /// Writes a page of content `token` to `slot`: the token in each of its 512 words.
    func writePage(_ slot: Int, token: UInt64) throws(KernelError) {
        let page = [UInt64](repeating: token, count: 512)
        var failure: KernelError?
        page.withUnsafeBytes { raw in
            do throws(KernelError) { try backing.write(slot: slot, page: raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Reads `slot` back: its token, or nil when the 512 words disagree (a torn or misplaced page).
    func readPage(_ slot: Int) throws(KernelError) -> UInt64? {
        var page = [UInt64](repeating: 0, count: 512)
        var failure: KernelError?
        page.withUnsafeMutableBytes { raw in
            do throws(KernelError) { try backing.read(slot: slot, into: raw) } catch { failure = error }
        }
        if let failure { throw failure }
        let first = page[0]
        return page.allSatisfy { $0 == first } ? first : nil
    }
}

extension Machine {
    /// `add_to_swap`: a slot for an anonymous page and the page in the swap cache, dirty (it
    /// must be written). False when swap is full.
    mutating func addToSwap(_ pfn: Int) -> Bool {
        guard let slot = allocSwapSlot(for: pfn) else { return false }
        swap!.cached[slot] = true
        swap!.cache[slot] = pfn
        frames[pfn].swap = UInt32(slot)
        frames[pfn].flags.formUnion([.swapCache, .dirty])
        return true
    }

    /// `__delete_from_swap_cache`: the page leaves the swap cache; its slot is freed when no entry
    /// refers to it.
    mutating func deleteFromSwapCache(_ pfn: Int) {
        let slot = Int(frames[pfn].swap)
        guard frames[pfn].flags.contains(.swapCache), swap != nil else { return }
        swap!.cached[slot] = false
        swap!.cache[slot] = nil
        releaseSwapSlot(slot)
        frames[pfn].swap = 0
        frames[pfn].flags.remove(.swapCache)
    }

    /// `folio_free_swap`: frees the swap copy of a page in the swap cache when no swap entry
    /// refers to it any more; the page becomes dirty (its only copy is in memory).
    mutating func tryFreeSwap(_ pfn: Int) {
        guard frames[pfn].flags.contains(.swapCache), let swap else { return }
        let slot = Int(frames[pfn].swap)
        guard swap.swapMap[slot] == 0 else { return }
        deleteFromSwapCache(pfn)
        frames[pfn].flags.insert(.dirty)
    }

    /// A swap entry is gone (`swap_free` on unmap of a swap PTE): the slot's count drops, and at
    /// zero the slot is freed, with the swap cache's page if nothing maps it.
    mutating func swapFree(_ slot: Int) {
        guard swap != nil, slot > 0, slot < swap!.slots, swap!.swapMap[slot] > 0 else { return }
        swap!.swapMap[slot] -= 1
        guard swap!.swapMap[slot] == 0 else { return }
        if let pfn = swap!.cache[slot] {
            if frames[pfn].mapcount == 0 {
                deleteFromSwapCache(pfn)
                freePage(pfn)
            } else {
                tryFreeSwap(pfn)
            }
        } else {
            releaseSwapSlot(slot)
        }
    }

    /// `vm_swap_full`: less than half of swap is free.
    var swapFull: Bool { swap.map { $0.freePages * 2 < $0.totalPages } ?? false }

    /// `do_swap_page`: the page is found in the swap cache (a minor fault) or read from the swap
    /// file (a major fault), with `swap_cluster_readahead` reading the 2^page_cluster slots of
    /// its aligned window into the swap cache; then mapped (writable when this entry was the
    /// slot's only user, dirty for a write), its swap freed when nobody else needs it and swap is
    /// more than half full or the fault is a write (`should_try_to_free_swap`).
    mutating func doSwapPage(t: Int, mm: Int, vma: VMA, address: UInt64, entry: UInt64, write: Bool,
                             major: inout Bool) -> FaultResult {
        guard swap != nil else { return segfault(t, address, .sigbus) }
        let slot = SwapDevice.slot(entry: entry, format: config.format)
        var pfn: Int
        if let cached = swap!.cache[slot] {
            pfn = cached
            vmstat.swapRaHit += 1
            pagesVerified += 1
            if frames[pfn].content != (mms[mm]!.shadow[address >> 12] ?? 0) { mismatches += 1 }
        } else {
            major = true
            guard let fresh = allocUserPage(for: t) else { return .killed(tasks[t].signal ?? .oomKill) }
            guard mms[mm] != nil, mms[mm]!.table.leaf(at: address)?.entry == entry else {
                freePage(fresh)
                return .retry
            }
            if let raced = swap!.cache[slot] {
                // Reclaim run for the allocation read the slot in already.
                freePage(fresh)
                pfn = raced
            } else {
                pfn = fresh
                guard swapIn(slot: slot, into: pfn, address: address, mm: mm) else {
                    freePageToBuddy(pfn)
                    return segfault(t, address, .sigbus)
                }
                swapReadahead(around: slot, for: t)
            }
        }
        // Map it: the entry's reference moves from the slot to the page.
        let exclusive = swap!.swapMap[slot] == 1
        swapFreeKeepingCache(slot)
        if frames[pfn].mapcount == 0 {
            frames[pfn].anonVma = mms[mm]!.anonVma
            frames[pfn].index = linearPageIndex(mm: mm, address)
            frames[pfn].flags.formUnion([.anon, .swapBacked])
        }
        frames[pfn].mapcount += 1
        mms[mm]!.swapEntries -= 1
        mms[mm]!.anonPages += 1
        if write || swapFull { tryFreeSwap(pfn) }
        let writable = exclusive && vma.flags.contains(.write)
        let newEntry = userEntry(pfn: pfn, vma: vma, writable: writable, dirty: writable && write)
        mms[mm]!.table.updateLeaf(address) { _ in newEntry }
        return .retry
    }

    /// `swap_free` for an entry whose page is now mapped: the count drops, the cache keeps the slot.
    mutating func swapFreeKeepingCache(_ slot: Int) {
        guard swap!.swapMap[slot] > 0 else { return }
        swap!.swapMap[slot] -= 1
    }

    /// Reads `slot` into `pfn` and puts the page in the swap cache, checking its content against
    /// the shadow copy of the faulting address space.
    mutating func swapIn(slot: Int, into pfn: Int, address: UInt64?, mm: Int?) -> Bool {
        let token: UInt64?
        do throws(KernelError) {
            token = try swap!.readPage(slot)
        } catch {
            swapError = error.description
            return false
        }
        vmstat.pswpin += 1
        frames[pfn] = PageFrames.Frame(flags: [.swapBacked, .lru, .swapCache, .anon], mapcount: 0, anonVma: -1,
                                       swap: UInt32(slot), index: 0, content: token ?? UInt64.max)
        folioAddLRU(pfn)
        swap!.cached[slot] = true
        swap!.cache[slot] = pfn
        if let shadow = swap!.shadows.removeValue(forKey: slot) { workingsetRefault(pfn, shadow: shadow) }
        if let address, let mm {
            pagesVerified += 1
            if token != (mms[mm]!.shadow[address >> 12] ?? 0) { mismatches += 1 }
        } else if token == nil {
            mismatches += 1
        }
        return true
    }

    /// `swap_cluster_readahead`: the other used slots of the aligned 2^page_cluster window, read
    /// into the swap cache while memory is free above the low watermark (readahead never reclaims).
    /// Each page is charged to the cgroup that swapped the slot out (`mem_cgroup_swapin_charge_folio`
    /// reads the slot's swap_cgroup id), else to the faulting task's.
    mutating func swapReadahead(around slot: Int, for t: Int) {
        let window = 1 << config.pageCluster
        guard window > 1 else { return }
        let start = slot & ~(window - 1)
        for s in max(start, 1)..<min(start + window, swap!.slots) where s != slot {
            guard swap!.swapMap[s] > 0, swap!.cache[s] == nil else { continue }
            let owner = swap!.slotGroup.isEmpty ? 0 : Int(swap!.slotGroup[s])
            guard let pfn = allocReadaheadPage(for: t, owner != 0 ? owner : memcg(ofMM: tasks[t].mm)) else { break }
            guard swapIn(slot: s, into: pfn, address: nil, mm: nil) else {
                freePageToBuddy(pfn)
                break
            }
            vmstat.swapRa += 1
        }
    }
}
