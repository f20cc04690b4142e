/// kernel/fork.c's `dup_mmap` with mm/memory.c's `copy_page_range`: the child gets a copy of the
/// parent's VMAs and page-table entries; private writable pages are write-protected in both
/// (`copy_present_pte` → `ptep_set_wrprotect`) so that the first write copies, each page's
/// mapcount and each swap slot's count goes up (`swap_duplicate`), and the parent's TLB is
/// flushed (`flush_tlb_mm`). The child joins the parent's anon_vma family, so the reverse map
/// finds its mappings.
extension Machine {
    /// `fork()`: a new process `name` sharing nothing but copy-on-write pages with `pid`. Returns
    /// the child's pid.
    /// - Throws: `.errno(.noMemory)` when no memory is left for the child's tables or objects;
    ///   `noSuchProcess` / `notRunning` for a bad parent.
    /// - Complexity: O(pages and tables of the parent).
    public mutating func fork(_ pid: Int, name: String) throws(KernelError) -> Int {
        let t = try running(pid)
        enter(t)
        let parent = tasks[t].mm
        // The child starts in its parent's cgroup (`cgroup_post_fork`).
        let child = try newMM(anonVma: mms[parent]!.anonVma, memcg: tasks[t].memcg)
        let childPid = try newTask(name: name, mm: child, oomScoreAdj: tasks[t].oomScoreAdj, memcg: tasks[t].memcg)
        guard mms[parent] != nil else { throw .notRunning(pid: pid, state: tasks[t].state) }
        mms[child]!.vmas = mms[parent]!.vmas
        // ksm_fork: the child of a registered address space is registered too.
        if ksm.slots.contains(parent) { ksm.slots.append(child) }
        mms[child]!.startBrk = mms[parent]!.startBrk
        mms[child]!.brk = mms[parent]!.brk
        mms[child]!.shadow = mms[parent]!.shadow
        mms[child]!.hiwaterVM = mms[parent]!.totalVM
        syncVMAObjects(child)
        let bits = config.format.bits
        var leaves: [(UInt64, Int)] = []
        // vma_needs_copy: shared file mappings are not copied; the child's faults fill them.
        for vma in mms[parent]!.vmas.vmas where !(vma.file != nil && vma.flags.contains(.shared)) {
            mms[parent]!.table.forEachLeaf(in: vma.start..<vma.end) { a, _, level in leaves.append((a, level)) }
        }
        var protected: [UInt64] = []
        let placeholder = SwapDevice.entry(slot: 0, format: config.format)
        let last = config.format.levels.count - 1
        var next = 0
        while next < leaves.count {
            let (address, level) = leaves[next]
            next += 1
            if level < last {
                // copy_huge_pmd: the huge page shared write-protected, one more mapping of it.
                guard let (entry, lv) = mms[parent]!.table.leaf(at: address), lv == level, entry & bits.present != 0 else {
                    // Reclaim split it meanwhile: copy its 4K entries instead.
                    mms[parent]!.table.forEachLeaf(in: address..<(address + Self.hugeSize)) { a, _, l in leaves.append((a, l)) }
                    continue
                }
                let pfn = Int(bits.physicalAddress(entry) >> 12)
                let e = entry & ~bits.writable
                do throws(MapError) {
                    try mms[child]!.table.setLeaf(address, entry: e, level: level, memory: &memory)
                } catch {
                    splitHugePage(pfn, isolated: false)
                    mms[parent]!.table.forEachLeaf(in: address..<(address + Self.hugeSize)) { a, _, l in leaves.append((a, l)) }
                    continue
                }
                if entry & bits.writable != 0 {
                    mms[parent]!.table.updateLeaf(address) { _ in e }
                    protected.append(address)
                }
                frames[pfn].mapcount += 1
                mms[child]!.anonPages += Self.hugePages
                continue
            }
            // The child's tables first (this may reclaim, and reclaim may swap the parent's page
            // out), then the parent's entry as it is now.
            guard installEntry(mm: child, address: address, entry: placeholder), mms[parent] != nil else {
                if mms[child] != nil { try? exit(childPid) }
                throw .errno(.noMemory("no memory for the child's page tables"))
            }
            let entry = mms[parent]!.table.leaf(at: address)?.entry ?? 0
            var e = entry
            if entry == 0 {
                mms[child]!.table.updateLeaf(address) { _ in 0 }
                continue
            }
            if entry & bits.present != 0 {
                let pfn = Int(bits.physicalAddress(entry) >> 12)
                if entry & bits.writable != 0 {
                    e = entry & ~bits.writable
                    mms[parent]!.table.updateLeaf(address) { _ in e }
                    protected.append(address)
                }
                if pfn != zeroPfn {
                    frames[pfn].mapcount += 1
                    if frames[pfn].file >= 0 { fileRSS(child, pfn, 1) } else { mms[child]!.anonPages += 1 }
                }
            } else {
                let slot = SwapDevice.slot(entry: entry, format: config.format)
                swap?.swapMap[slot] += 1
                mms[child]!.swapEntries += 1
            }
            mms[child]!.table.updateLeaf(address) { _ in e }
        }
        flushTLB(mm: parent, pages: protected)
        updateHiwaterRSS(child)
        check()
        return childPid
    }
}
