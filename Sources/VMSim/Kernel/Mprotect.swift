/// mm/mprotect.c's `change_protection` → `change_pte_range`: after the VMAs took the new
/// protection, every present entry of the range is rewritten with it. A private page stays
/// write-protected while it is shared (mapped more than once, the zero page, or in the swap cache
/// with other users), so that copy-on-write still happens; a page mapped once becomes writable
/// at once only if it was writable before (the kernel's `can_change_pte_writable` leaves the
/// upgrade to the next write fault otherwise).
extension Machine {
    mutating func changeProtection(mm: Int, _ range: Range<UInt64>) {
        guard mms[mm] != nil else { return }
        let bits = config.format.bits
        var pages: [UInt64] = []
        var updates: [(UInt64, UInt64)] = []
        var huge: [(UInt64, UInt64)] = []
        mms[mm]!.table.forEachLeaf(in: range) { address, entry, level in
            guard entry & bits.present != 0 else { return }
            if level < config.format.levels.count - 1 { huge.append((address, entry)) } else { updates.append((address, entry)) }
        }
        for (address, entry) in huge {
            guard let vma = mms[mm]!.vmas.lookup(address) else { continue }
            let pfn = Int(bits.physicalAddress(entry) >> 12)
            let new = hugeEntry(pfn: pfn, vma: vma, writable: entry & bits.writable != 0 && frames[pfn].mapcount == 1)
            if new != entry {
                mms[mm]!.table.updateLeaf(address) { _ in new }
                pages.append(address)
            }
        }
        for (address, entry) in updates {
            guard let vma = mms[mm]!.vmas.lookup(address) else { continue }
            let pfn = Int(bits.physicalAddress(entry) >> 12)
            let keepWritable: Bool
            if pfn != zeroPfn && frames[pfn].file >= 0 {
                keepWritable = entry & bits.writable != 0 && vma.flags.contains(.shared)
            } else {
                keepWritable = entry & bits.writable != 0 && pfn != zeroPfn && frames[pfn].mapcount == 1
                    && !frames[pfn].flags.contains(.swapCache)
            }
            var new = userEntry(pfn: pfn, vma: vma, writable: keepWritable, dirty: entry & bits.dirty != 0)
            if entry & bits.accessed == 0 { new &= ~bits.accessed }
            if new != entry {
                mms[mm]!.table.updateLeaf(address) { _ in new }
                pages.append(address)
            }
        }
        flushTLB(mm: mm, pages: pages)
    }
}
