/// The kernel's side of `__alloc_pages_slowpath`: the buddy allocator says what to do next
/// (`PageAllocation.Advice`), and the kernel does it: wake kswapd below the low watermark,
/// reclaim directly below min (`__alloc_pages_direct_reclaim`) and retry, and when reclaim makes
/// no progress, call the OOM killer (`__alloc_pages_may_oom`) and retry.
extension Machine {
    /// A movable page for user memory (`GFP_HIGHUSER_MOVABLE`) for task `t`, charged to its
    /// address space's memory cgroup (`mem_cgroup_charge`, which may reclaim inside the cgroup or
    /// OOM-kill there), or nil when `t` itself was killed by the OOM killer (or no victim was left).
    mutating func allocUserPage(for t: Int) -> Int? {
        let g = memcg(ofMM: tasks[t].mm)
        guard chargeMemcg(t: t, g, 1) else { return nil }
        while true {
            let a = memory.phys.allocate(order: 0, migratetype: .movable, cpu: currentCPU)
            noteAllocation(a.advice)
            if let pfn = a.pfn {
                commitCharge(pfn, pages: 1, g)
                return pfn
            }
            guard a.advice == .reclaim, outOfMemoryStep(sparing: nil), tasks[t].state == .running else {
                if g != 0 { memory.memcg.uncharge(g, 1) }
                return nil
            }
        }
    }

    /// A page for readahead (swap or file), charged to cgroup `g`, or nil: readahead never
    /// reclaims, globally or in the cgroup (the page just read is not mapped yet and must stay).
    mutating func allocReadaheadPage(for t: Int, _ g: Int) -> Int? {
        let a = memory.phys.allocate(order: 0, cpu: currentCPU)
        guard let pfn = a.pfn else { return nil }
        guard a.advice == .none, chargeMemcg(t: t, g, 1, mode: .noReclaim) else {
            memory.phys.freePages(pfn: pfn, cpu: currentCPU)
            return nil
        }
        commitCharge(pfn, pages: 1, g)
        return pfn
    }

    /// One step when an allocation failed: direct reclaim, and when it freed nothing, the OOM
    /// killer. False when neither can free anything (no victim left).
    mutating func outOfMemoryStep(sparing: Int?) -> Bool {
        if tryToFreePages() > 0 { return true }
        return outOfMemory()
    }

    /// Runs `body` (which allocates through `memory`), reclaiming and retrying while it fails for
    /// want of memory.
    mutating func withReclaim<T>(_ body: (inout Machine) throws(MapError) -> T) throws(MapError) -> T {
        while true {
            do throws(MapError) {
                return try body(&self)
            } catch .outOfMemory {
                noteAllocation(.wakeKswapd)
                guard outOfMemoryStep(sparing: nil) else { throw .outOfMemory }
            }
        }
    }

    /// `withReclaim` for allocations that answer nil on failure (slab objects).
    mutating func withReclaimSimple<T>(_ body: (inout Machine) -> T?) -> T? {
        while true {
            if let r = body(&self) { return r }
            noteAllocation(.wakeKswapd)
            guard outOfMemoryStep(sparing: nil) else { return nil }
        }
    }
}
