/// The heap and advice system calls: `brk` (mm/mmap.c: `do_brk_flags` grows the heap VMA,
/// merging with it; shrinking unmaps the tail) and `madvise` (mm/madvise.c: MADV_DONTNEED zaps
/// the range's pages, `zap_page_range_single`, so the next read sees zeroes; MADV_HUGEPAGE and
/// MADV_NOHUGEPAGE set VM_HUGEPAGE / VM_NOHUGEPAGE through `madvise_update_vma`, splitting and
/// merging VMAs).
public enum MadviseAdvice: String, CaseIterable, Sendable {
    case dontneed, hugepage, nohugepage
}

extension Machine {
    /// `brk(mm->brk + delta)`: returns the new break, or the old one when the change is refused
    /// (it would overlap another mapping, or go below `start_brk`), as the system call does.
    /// - Complexity: O(VMAs + pages unmapped).
    @discardableResult
    public mutating func brk(_ pid: Int, delta: Int64) throws(KernelError) -> UInt64 {
        let t = try running(pid)
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

    /// `madvise(start, length, advice)`.
    /// - Throws: `.errno` (ENOMEM when part of the range is not mapped; the mapped parts are
    ///   still advised, as the kernel does).
    /// - Complexity: O(VMAs + pages in the range).
    public mutating func madvise(_ pid: Int, _ start: UInt64, length: UInt64, _ advice: MadviseAdvice) throws(KernelError) {
        let t = try running(pid)
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
