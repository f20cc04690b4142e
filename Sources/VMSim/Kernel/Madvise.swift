/// The heap and advice system calls: `brk` (mm/mmap.c: `do_brk_flags` grows the heap VMA,
/// merging with it; shrinking unmaps the tail) and `madvise` (mm/madvise.c: MADV_DONTNEED zaps
/// the range's pages, `zap_page_range_single`, so the next read sees zeroes; MADV_HUGEPAGE and
/// MADV_NOHUGEPAGE set VM_HUGEPAGE / VM_NOHUGEPAGE through `madvise_update_vma`, splitting and
/// merging VMAs; MADV_FREE, `madvise_free_pte_range`: private anonymous pages mapped once become
/// lazily freeable, clean and on the inactive file list (`folio_mark_lazyfree`, `pglazyfree`);
/// reclaim discards them unless they were written again (`pglazyfreed`), and the range's swap
/// entries are freed at once).
public enum MadviseAdvice: String, CaseIterable, Sendable {
    case dontneed, free, hugepage, nohugepage
    /// MADV_MERGEABLE and MADV_UNMERGEABLE (KSM).
    case mergeable, unmergeable
}

extension Machine {
    /// `brk(mm->brk + delta)`: returns the new break, or the old one when the change is refused
    /// (it would overlap another mapping, or go below `start_brk`), as the system call does.
    /// - Complexity: O(VMAs + pages unmapped).
    @discardableResult
    public mutating func brk(_ pid: Int, delta: Int64) throws(KernelError) -> UInt64 {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        let old = mms[mm]!.brk, start = mms[mm]!.startBrk
        let wanted = delta >= 0 ? old &+ UInt64(delta) : old &- UInt64(-delta)
        guard (delta >= 0 && wanted >= old) || (delta < 0 && wanted <= old && wanted >= start) else { return old }
        let oldEnd = (old + 4095) & ~4095, newEnd = (wanted + 4095) & ~4095
        if newEnd > oldEnd {
            // find_vma_intersection: the new heap pages must be free.
            let i = mms[mm]!.vmas.firstIndex(endingAfter: oldEnd)
            if i < mms[mm]!.vmas.count && mms[mm]!.vmas.vmas[i].start < newEnd { return old }
            do throws(VMAError) {
                try mms[mm]!.vmas.mmap(at: oldEnd, length: newEnd - oldEnd, flags: .mmap([.read, .write], shared: false))
            } catch {
                return old
            }
        } else if newEnd < oldEnd {
            try munmap(pid, newEnd, length: oldEnd - newEnd)
        }
        mms[mm]!.brk = wanted
        syncVMAObjects(mm)
        updateHiwaterVM(mm)
        check()
        return wanted
    }

    /// `madvise_free_pte_range` over `range` of `mm`.
    mutating func madviseFree(mm: Int, _ range: Range<UInt64>) {
        let bits = config.format.bits
        var leaves: [(UInt64, UInt64)] = []
        mms[mm]!.table.forEachLeaf(in: range) { a, e, _ in leaves.append((a, e)) }
        var flushed: [UInt64] = []
        for (address, entry) in leaves {
            if entry & bits.present == 0 {
                // A swap entry: freed (free_swap_and_cache), the page reads zeroes from now on.
                mms[mm]!.table.updateLeaf(address) { _ in 0 }
                mms[mm]!.swapEntries -= 1
                swapFree(SwapDevice.slot(entry: entry, format: config.format))
                mms[mm]!.shadow.remove(address >> 12)
                continue
            }
            let pfn = Int(bits.physicalAddress(entry) >> 12)
            guard pfn != zeroPfn, frames[pfn].file < 0, frames[pfn].mapcount == 1, !frames[pfn].flags.contains(.ksm) else { continue }
            tryFreeSwap(pfn)
            guard !frames[pfn].flags.contains(.swapCache) else { continue }
            mms[mm]!.table.updateLeaf(address) { $0 & ~(bits.dirty | bits.accessed) }
            flushed.append(address)
            if frames[pfn].flags.contains(.swapBacked) {
                frames[pfn].flags.subtract([.swapBacked, .dirty, .referenced, .workingset])
                lruReadd(pfn)
                vmstat.pglazyfree += 1
            }
        }
        flushTLB(mm: mm, pages: flushed)
    }

    /// `madvise(start, length, advice)`.
    /// - Throws: `.errno` (ENOMEM when part of the range is not mapped; the mapped parts are
    ///   still advised, as the kernel does).
    /// - Complexity: O(VMAs + pages in the range).
    public mutating func madvise(_ pid: Int, _ start: UInt64, length: UInt64, _ advice: MadviseAdvice) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        let end = start + ((length + 4095) & ~4095)
        guard start & 4095 == 0, end > start else { throw .errno(.invalid("madvise needs a page-aligned, non-empty range")) }
        var covered: UInt64 = 0
        for vma in mms[mm]!.vmas.vmas where vma.end > start && vma.start < end {
            covered += min(vma.end, end) - max(vma.start, start)
        }
        switch advice {
        case .dontneed:
            splitHugePagesAtEnds(mm: mm, start..<end)
            for vma in mms[mm]!.vmas.vmas where vma.end > start && vma.start < end {
                zapRange(mm: mm, max(vma.start, start)..<min(vma.end, end))
            }
        case .free:
            splitHugePagesAtEnds(mm: mm, start..<end)
            for vma in mms[mm]!.vmas.vmas where vma.end > start && vma.start < end {
                guard vma.isAnonymous, !vma.flags.contains(.shared) else { throw .errno(.invalid("MADV_FREE applies to private anonymous memory")) }
                var a = max(vma.start, start)
                while a < min(vma.end, end) {
                    splitHugePage(covering: a, mm: mm)
                    a = (a | (Self.hugeSize - 1)) + 1
                }
                madviseFree(mm: mm, max(vma.start, start)..<min(vma.end, end))
            }
        case .mergeable, .unmergeable:
            try madviseMergeable(mm: mm, start..<end, mergeable: advice == .mergeable)
        case .hugepage, .nohugepage:
            let set: VMAFlags = advice == .hugepage ? .hugePage : .noHugePage
            let clear: VMAFlags = advice == .hugepage ? .noHugePage : .hugePage
            let ranges = mms[mm]!.vmas.vmas.filter { $0.end > start && $0.start < end }.map { (max($0.start, start), min($0.end, end)) }
            for (a, b) in ranges {
                do throws(VMAError) {
                    try mms[mm]!.vmas.modify(a, length: b - a) { $0.flags = $0.flags.subtracting(clear).union(set) }
                } catch {
                    throw .errno(error)
                }
            }
            syncVMAObjects(mm)
        }
        check()
        if covered < end - start { throw .errno(.noMemory("part of the range is not mapped")) }
    }
}
