/// Refault detection of mm/workingset.c: when reclaim evicts a page it leaves a shadow entry
/// where the page was (the page cache slot for a file page, the swap slot for an anonymous one)
/// holding the node's `nonresident_age` at eviction and whether the page was in the workingset
/// (`workingset_eviction`). When the page faults back in, the refault distance (the age now less
/// the age then) is the number of evictions and activations since; if it is no larger than the
/// workingset (`workingset_test_recent`: the active file pages, plus the inactive file pages for
/// an anonymous refault, plus the anonymous pages when swap is free), the page would have stayed
/// resident with that much more memory and comes back active (`workingset_refault`).
extension Machine {
    /// `workingset_eviction`: the shadow of `pfn`, and the age advanced.
    mutating func workingsetEviction(_ pfn: Int) -> UInt64 {
        if lruGenEnabled { return lruGenEviction(pfn) }
        let shadow = nonresidentAge << 1 | (frames[pfn].flags.contains(.workingset) ? 1 : 0)
        nonresidentAge += 1
        return shadow
    }

    /// `workingset_refault` for a page read back in whose slot held `shadow`: counted, and when
    /// the refault distance is within the workingset, `pfn` goes to the active list (of its
    /// type: a shmem page is an anonymous one).
    mutating func workingsetRefault(_ pfn: Int, shadow: UInt64) {
        if lruGenEnabled { return lruGenRefault(pfn, shadow: shadow) }
        let file = lruType(pfn) == .file
        countWorkingset(.refault, file: file, pfn: pfn)
        let eviction = shadow >> 1, distance = nonresidentAge &- eviction
        var size = lruPages(.activeFile)
        if !file { size += lruPages(.inactiveFile) }
        if (swap?.freePages ?? 0) > 0 {
            size += lruPages(.activeAnon)
            if file { size += lruPages(.inactiveAnon) }
        }
        guard distance <= UInt64(size) else { return }
        lru.move(Int32(pfn), to: .active(file: file))
        nonresidentAge += 1
        countWorkingset(.activate, file: file, pfn: pfn)
        if shadow & 1 != 0 {
            frames[pfn].flags.insert(.workingset)
            countWorkingset(.restore, file: file, pfn: pfn)
        }
    }

    enum WorkingsetEvent { case refault, activate, restore }

    /// `workingset_refault_*`, `workingset_activate_*`, `workingset_restore_*` of the page's type.
    mutating func countWorkingset(_ event: WorkingsetEvent, file: Bool, pfn: Int? = nil) {
        if let pfn, memory.memcg.active {
            let g = lru.group(of: Int32(pfn))
            switch (event, file) {
            case (.refault, true): countMemcg(g, .workingsetRefaultFile)
            case (.refault, false): countMemcg(g, .workingsetRefaultAnon)
            case (.activate, true): countMemcg(g, .workingsetActivateFile)
            case (.activate, false): countMemcg(g, .workingsetActivateAnon)
            case (.restore, true): countMemcg(g, .workingsetRestoreFile)
            case (.restore, false): countMemcg(g, .workingsetRestoreAnon)
            }
        }
        switch (event, file) {
        case (.refault, true): vmstat.workingsetRefaultFile += 1
        case (.refault, false): vmstat.workingsetRefaultAnon += 1
        case (.activate, true): vmstat.workingsetActivateFile += 1
        case (.activate, false): vmstat.workingsetActivateAnon += 1
        case (.restore, true): vmstat.workingsetRestoreFile += 1
        case (.restore, false): vmstat.workingsetRestoreAnon += 1
        }
    }
}
