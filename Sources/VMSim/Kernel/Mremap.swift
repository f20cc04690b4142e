/// mm/mremap.c's `do_mremap` with MREMAP_MAYMOVE: shrinking unmaps the tail; growing extends the
/// VMA in place when the pages after it are free (`vma_expand`), else moves it
/// (`move_vma` → `move_page_tables`): a new VMA with the same flags, file and `vm_pgoff` (so the
/// reverse map still finds every page by its index), the page-table entries moved to it as they
/// are (present pages and swap entries alike), the old range unmapped.
extension Machine {
    /// `mremap(old, oldLength, newLength, MREMAP_MAYMOVE)` (without `mayMove`, flags 0;
    /// with `newAddress`, MREMAP_MAYMOVE|MREMAP_FIXED: moved there, what was there unmapped first).
    /// Returns the mapping's address afterwards.
    /// - Throws: `.errno` (EFAULT-like EINVAL when the old range is not inside one VMA; ENOMEM when
    ///   it cannot grow in place and may not move, or no room is left).
    /// - Complexity: O(VMAs + pages moved).
    @discardableResult
    public mutating func mremap(_ pid: Int, _ old: UInt64, oldLength: UInt64, newLength: UInt64, mayMove: Bool = true, newAddress: UInt64? = nil) throws(KernelError) -> UInt64 {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        var oldLength = (oldLength + 4095) & ~4095
        let newLength = (newLength + 4095) & ~4095
        guard old & 4095 == 0, newLength > 0, oldLength > 0 else { throw .errno(.invalid("mremap needs a page-aligned address and lengths")) }
        guard let vma = mms[mm]!.vmas.lookup(old), old + oldLength <= vma.end else {
            throw .errno(.invalid("the old range is not inside one mapping"))
        }
        if let target = newAddress, target != old {
            guard target & 4095 == 0, target + newLength <= old || target >= old + oldLength else {
                throw .errno(.invalid("MREMAP_FIXED needs a page-aligned target that does not overlap the old range"))
            }
            try munmap(pid, target, length: newLength)
            if newLength < oldLength {
                // Shrunk and moved: the tail goes, the rest moves.
                try munmap(pid, old + newLength, length: oldLength - newLength)
                oldLength = newLength
            }
        }
        if newLength <= oldLength && (newAddress ?? old) == old {
            if newLength < oldLength { try munmap(pid, old + newLength, length: oldLength - newLength) }
            return old
        }
        let pgoff = vma.pgoff + ((old - vma.start) >> 12)
        // In place: the range ends where the VMA does and the pages after it are free.
        let i = mms[mm]!.vmas.firstIndex(endingAfter: old + oldLength)
        let nextStart = i < mms[mm]!.vmas.count ? mms[mm]!.vmas.vmas[i].start : UInt64.max
        let after = i < mms[mm]!.vmas.count && mms[mm]!.vmas.vmas[i].start < old + oldLength ? old : nextStart
        if (newAddress ?? old) == old && old + oldLength == vma.end && after >= old + newLength && (old + newLength) >> UInt64(config.format.virtualBits - 1) == 0 {
            do throws(VMAError) {
                try mms[mm]!.vmas.mmap(at: old + oldLength, length: newLength - oldLength, flags: vma.flags, file: vma.file,
                                       pgoff: pgoff + (oldLength >> 12), name: vma.name)
            } catch {
                throw .errno(error)
            }
            syncVMAObjects(mm)
            updateHiwaterVM(mm)
            check()
            return old
        }
        guard mayMove else { throw .errno(.noMemory("the mapping cannot grow in place and may not move")) }
        var new = newAddress ?? 0
        if newAddress == nil { do throws(VMAError) {
            let align = vma.isAnonymous && newLength >= VMATree.pmdSize ? VMATree.pmdSize : VMATree.pageSize
            new = try mms[mm]!.vmas.unmappedArea(length: newLength, alignment: align)
        } catch {
            throw .errno(error)
        } }
        splitHugePagesAtEnds(mm: mm, old..<(old + oldLength))
        // Huge pages inside the range move as 4K entries (move_huge_pmd is not modelled).
        var a = old
        while a < old + oldLength {
            splitHugePage(covering: a, mm: mm)
            a += Self.hugeSize - (a & (Self.hugeSize - 1))
        }
        let bits = config.format.bits
        var leaves: [UInt64] = []
        mms[mm]!.table.forEachLeaf(in: old..<(old + oldLength)) { a, _, _ in leaves.append(a) }
        let placeholder = SwapDevice.entry(slot: 0, format: config.format)
        var flushed: [UInt64] = []
        for address in leaves {
            let target = new + (address - old)
            guard installEntry(mm: mm, address: target, entry: placeholder), mms[mm] != nil else {
                throw .errno(.noMemory("no memory for the moved page tables"))
            }
            let entry = mms[mm]!.table.leaf(at: address)?.entry ?? 0
            mms[mm]!.table.updateLeaf(target) { _ in entry }
            if entry != 0 { mms[mm]!.table.updateLeaf(address) { _ in 0 } }
            if entry & bits.present != 0 { flushed.append(address) }
            let vpn = address >> 12
            if let s = mms[mm]!.shadow.remove(vpn) { mms[mm]!.shadow.set(target >> 12, s) }
        }
        // Shadow copies of pages not present (swapped out, or the zero page's zero) move too.
        for vpn in mms[mm]!.shadow.keys where vpn >= old >> 12 && vpn < (old + oldLength) >> 12 {
            if let s = mms[mm]!.shadow.remove(vpn) { mms[mm]!.shadow.set(vpn - (old >> 12) + (new >> 12), s) }
        }
        flushTLB(mm: mm, pages: flushed)
        do throws(VMAError) {
            try mms[mm]!.vmas.munmap(old, length: oldLength)
            zapRange(mm: mm, old..<(old + oldLength))   // frees the tables left empty
            try mms[mm]!.vmas.mmap(at: new, length: newLength, flags: vma.flags, file: vma.file, pgoff: pgoff, name: vma.name)
        } catch {
            throw .errno(error)
        }
        syncVMAObjects(mm)
        updateHiwaterVM(mm)
        check()
        return new
    }
}
