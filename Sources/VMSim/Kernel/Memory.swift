/// Tearing down mappings, as mm/memory.c's `unmap_page_range` → `zap_pte_range` and
/// `free_pgtables` do: each present entry drops its page's mapping (freeing the page with its
/// last one), each swap entry its slot's count, and the tables left empty go back to the buddy
/// allocator; the TLB is flushed for the pages that were mapped.
extension Machine {
    mutating func zapRange(mm: Int, _ range: Range<UInt64>) {
        guard mms[mm] != nil else { return }
        let bits = config.format.bits
        var pages: [UInt64] = []
        var entries: [(UInt64, UInt64)] = []
        var huge = Set<UInt64>()
        let tablesBefore = memory.pageTablePages
        mms[mm]!.table.zap(range, memory: &memory) { address, entry, level in
            entries.append((address, entry))
            if level < config.format.levels.count - 1 { huge.insert(address) }
        }
        for (address, entry) in entries {
            if huge.contains(address) {
                pages.append(address)
                mms[mm]!.anonPages -= Self.hugePages
                unmapPage(Int(bits.physicalAddress(entry) >> 12))
            } else if entry & bits.present != 0 {
                pages.append(address)
                let pfn = Int(bits.physicalAddress(entry) >> 12)
                if pfn == zeroPfn { continue }
                if frames[pfn].file >= 0 {
                    // A page-cache page stays cached; a dirty entry dirties it (zap_present_folio_ptes).
                    if entry & bits.dirty != 0 { frames[pfn].flags.insert(.dirty) }
                    frames[pfn].mapcount -= 1
                    fileRSS(mm, pfn, -1)
                    continue
                }
                mms[mm]!.anonPages -= 1
                unmapPage(pfn)
            } else {
                mms[mm]!.swapEntries -= 1
                swapFree(SwapDevice.slot(entry: entry, format: config.format))
            }
        }
        flushTLB(mm: mm, pages: pages, freedTables: memory.pageTablePages < tablesBefore)
        // What was written there is gone with the mapping: a new one reads zeroes.
        let first = range.lowerBound >> 12, last = range.upperBound >> 12
        if UInt64(mms[mm]!.shadow.count) < last - first {
            for vpn in mms[mm]!.shadow.keys where vpn >= first && vpn < last { mms[mm]!.shadow.remove(vpn) }
        } else {
            for vpn in first..<last { mms[mm]!.shadow.remove(vpn) }
        }
    }
}
