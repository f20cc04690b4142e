/// The reverse map of mm/rmap.c for anonymous pages: a page records its anon_vma (the fork family
/// of address spaces) and its virtual page (`folio->index`); `rmap_walk_anon` visits every
/// address space of the family whose VMA covers that address and whose entry there maps the page.
extension Machine {
    /// Calls `body(mm, address)` for each mapping of anonymous page `pfn`.
    func rmapWalk(_ pfn: Int, _ body: (Int, UInt64) -> Void) {
        let frame = frames[pfn]
        guard frame.anonVma >= 0, frame.mapcount > 0 else { return }
        let bits = config.format.bits
        for mm in anonVmaMembers[Int(frame.anonVma)] {
            guard let space = mms[mm] else { continue }
            // vma_address: the page's index against each anonymous VMA's vm_pgoff (which mremap
            // keeps when it moves a VMA).
            for vma in space.vmas.vmas where vma.isAnonymous && frame.index >= vma.pgoff && frame.index < vma.pgoff + (vma.length >> 12) {
                let address = vma.start + ((frame.index - vma.pgoff) << 12)
                guard let e = space.table.leaf(at: address)?.entry, e & bits.present != 0,
                      Int(bits.physicalAddress(e) >> 12) == pfn else { continue }
                body(mm, address)
            }
        }
    }

    /// `folio_referenced`: how many of the page's entries had the accessed bit set, clearing them
    /// (`ptep_clear_flush_young`, which on x86 flushes no TLB entry: an access through a cached
    /// translation does not set the bit again).
    mutating func folioReferenced(_ pfn: Int) -> Int {
        var mappings: [(Int, UInt64)] = []
        if frames[pfn].file >= 0 {
            rmapWalkFile(pfn) { mm, address in mappings.append((mm, address)) }
        } else {
            rmapWalk(pfn) { mm, address in mappings.append((mm, address)) }
        }
        var young = 0
        for (mm, address) in mappings where mms[mm]!.table.testAndClearYoung(address) {
            young += 1
            // folio_referenced_one: with the multi-gen LRU, the young entry's neighbours too.
            if lruGenEnabled && frames[pfn].order == 0 { lruGenLookAround(mm: mm, address: address) }
        }
        return young
    }

    /// `try_to_unmap` for a page-cache page: its entries are cleared (the next access faults it
    /// back from the cache or the file), a dirty entry dirties the page.
    mutating func tryToUnmapFile(_ pfn: Int) {
        var mappings: [(Int, UInt64)] = []
        rmapWalkFile(pfn) { mm, address in mappings.append((mm, address)) }
        let dirtyBit = config.format.bits.dirty
        for (mm, address) in mappings {
            guard let old = mms[mm]!.table.updateLeaf(address, { _ in 0 }) else { continue }
            if old & dirtyBit != 0 { frames[pfn].flags.insert(.dirty) }
            frames[pfn].mapcount -= 1
            fileRSS(mm, pfn, -1)
            flushTLB(mm: mm, pages: [address])
        }
    }

    /// `try_to_unmap` for an anonymous page in the swap cache: each entry mapping it becomes the
    /// swap entry of its slot (`swap_duplicate` per entry), a dirty entry dirties the page, and
    /// the TLBs are flushed for it.
    mutating func tryToUnmap(_ pfn: Int) {
        var mappings: [(Int, UInt64)] = []
        rmapWalk(pfn) { mm, address in mappings.append((mm, address)) }
        let slot = Int(frames[pfn].swap)
        let swapEntry = SwapDevice.entry(slot: slot, format: config.format)
        let dirtyBit = config.format.bits.dirty
        for (mm, address) in mappings {
            guard let old = mms[mm]!.table.updateLeaf(address, { _ in swapEntry }) else { continue }
            if old & dirtyBit != 0 { frames[pfn].flags.insert(.dirty) }
            swap!.swapMap[slot] += 1
            frames[pfn].mapcount -= 1
            mms[mm]!.anonPages -= 1
            mms[mm]!.swapEntries += 1
            flushTLB(mm: mm, pages: [address])
        }
    }
}
