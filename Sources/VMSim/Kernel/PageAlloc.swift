/// The kernel's side of `__alloc_pages_slowpath`: the buddy allocator says what to do next
/// (`PageAllocation.Advice`), and the kernel does it: wake kswapd below the low watermark,
/// reclaim directly below min (`__alloc_pages_direct_reclaim`) and retry, and when reclaim makes
/// no progress, call the OOM killer (`__alloc_pages_may_oom`) and retry.
extension Machine {
    /// A movable page for user memory (`GFP_HIGHUSER_MOVABLE`) for task `t`, or nil when `t` itself
    /// was killed by the OOM killer (or no victim was left).
    mutating func allocUserPage(for t: Int) -> Int? {
        while true {
            let a = memory.phys.allocate(order: 0, migratetype: .movable, cpu: currentCPU)
            noteAllocation(a.advice)
            if let pfn = a.pfn { return pfn }
            guard a.advice == .reclaim, outOfMemoryStep(sparing: nil) else { return nil }
            if tasks[t].state != .running { return nil }
        }
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
