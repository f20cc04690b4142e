/// The cgroup v2 memory controller's enforcement, as mm/memcontrol.c does it: `try_charge_memcg`
/// (the per-CPU stock, a batch of MEMCG_CHARGE_BATCH pages, reclaim inside the cgroup over its
/// memory.max with `try_to_free_mem_cgroup_pages`, then the cgroup's OOM killer), the memory.high
/// penalty (`mem_cgroup_handle_over_high`: `reclaim_high`, `calculate_high_delay`), swap charges
/// (`mem_cgroup_try_charge_swap`), kernel memory (page tables, slab objects) and the files of a
/// cgroup's folder in the kernel's formats. The accounting itself is `MemoryController`'s.
extension Machine {
    /// How hard a charge may try (the allocation's gfp flags).
    enum ChargeMode {
        /// GFP_HIGHUSER_MOVABLE: reclaim, retry, the cgroup's OOM killer.
        case full
        /// No direct reclaim (the THP fault's GFP_TRANSHUGE_LIGHT, readahead): fail at once.
        case noReclaim
    }

    /// The cgroup user memory of address space `mm` is charged to (`get_mem_cgroup_from_mm`).
    func memcg(ofMM mm: Int) -> Int { mms.indices.contains(mm) ? (mms[mm]?.memcg ?? 0) : 0 }

    // MARK: The API

    /// `mkdir` of a memory cgroup below `parent` (0: the root) with `limits`. Returns its index.
    /// - Throws: `.errno(.invalid)` for a taken name, an unknown parent, or a machine reclaiming
    ///   with the multi-gen LRU (VMSim keeps per-cgroup lists for the two-list LRU only).
    /// - Complexity: O(cgroups).
    public mutating func createCgroup(name: String, parent: Int = 0, limits: CgroupLimits = CgroupLimits()) throws(KernelError) -> Int {
        guard !lruGenEnabled else { throw .errno(.invalid("memory cgroups need the two-list LRU (machine lru=2list)")) }
        let g: Int
        do throws(VMAError) { g = try memory.memcg.create(name: name, parent: parent) } catch { throw .errno(error) }
        let group = lru.addGroup()
        precondition(group == g)
        if memory.tableOwner.isEmpty { memory.tableOwner = ContiguousArray(repeating: 0, count: frames.frames.count) }
        if let swap, swap.slotGroup.isEmpty { self.swap!.slotGroup = ContiguousArray(repeating: 0, count: swap.slots) }
        try setCgroupLimits(g, limits)
        return g
    }

    /// Writes memory.max, memory.high, memory.low, memory.min, memory.swap.max or memory.oom.group
    /// (the ones `limits` gives). A lower memory.max reclaims down to it, as `memory_max_write`
    /// does, and OOM-kills inside the cgroup when reclaim cannot.
    /// - Complexity: that of the reclaim.
    public mutating func setCgroupLimits(_ g: Int, _ limits: CgroupLimits) throws(KernelError) {
        guard g > 0, g < memory.memcg.cgroups.count else { throw .errno(.invalid("no cgroup \(g)")) }
        if let v = limits.high { memory.memcg.cgroups[g].high = v }
        if let v = limits.low { memory.memcg.cgroups[g].low = v }
        if let v = limits.min { memory.memcg.cgroups[g].min = v }
        if let v = limits.swapMax { memory.memcg.cgroups[g].swapMax = v }
        if let v = limits.oomGroup { memory.memcg.cgroups[g].oomGroup = v }
        if let v = limits.max {
            memory.memcg.cgroups[g].max = v
            // memory_max_write: drain the stocks, reclaim, then OOM-kill until usage fits.
            var drained = false, retries = MemoryController.maxReclaimRetries
            while memory.memcg.cgroups[g].usage > v {
                if !drained { memory.memcg.drainAllStock(g); drained = true; continue }
                if retries > 0 {
                    if tryToFreeMemCgroupPages(g, nrPages: memory.memcg.cgroups[g].usage - v) == 0 { retries -= 1 }
                    continue
                }
                memory.memcg.event(g, .oom)
                if !outOfMemory(memcg: g) { break }
            }
            runKswapdIfWoken()
        }
    }

    // MARK: Charging

    /// `try_charge_memcg` for `n` pages of task `t`'s cgroup `g`: from the CPU's stock, else a
    /// batch of MEMCG_CHARGE_BATCH (the rest to the stock), else exactly `n`; over a memory.max,
    /// a max event, reclaim in that cgroup, drain the stocks, retry (MAX_RECLAIM_RETRIES), then
    /// the cgroup's OOM killer. Charged, it notes pages over memory.high for the return to user
    /// (`memcg_nr_pages_over_high`), handling them at once past a batch. False when the charge
    /// failed (the task was killed, or nothing could be killed).
    mutating func chargeMemcg(t: Int, _ g: Int, _ n: Int, mode: ChargeMode = .full) -> Bool {
        guard g != 0 else { return true }
        let cpu = currentCPU
        var batch = max(MemoryController.chargeBatch, n)
        var retries = MemoryController.maxReclaimRetries
        var drained = false, raisedMax = false, passedOOM = false
        while true {
            if memory.memcg.consumeStock(g, n, cpu: cpu) { return true }
            guard let over = memory.memcg.tryCharge(g, batch) else {
                if batch > n { memory.memcg.refillStock(g, batch - n, cpu: cpu) }
                for c in memory.memcg.ancestry(g) where memory.memcg.cgroups[c].usage > memory.memcg.cgroups[c].high {
                    tasks[t].memcgPagesOverHigh += batch
                    break
                }
                if tasks[t].memcgPagesOverHigh > MemoryController.chargeBatch { handleOverHigh(t) }
                return true
            }
            if batch > n { batch = n; continue }
            if mode == .noReclaim { return false }
            if !raisedMax { memory.memcg.event(over, .max); raisedMax = true }
            let reclaimed = tryToFreeMemCgroupPages(over, nrPages: n)
            if memory.memcg.margin(over) >= n { continue }
            if !drained { memory.memcg.drainAllStock(over); drained = true; continue }
            if reclaimed > 0 && n <= 1 << 3 { continue }
            if retries > 0 { retries -= 1; continue }
            if passedOOM && tasks[t].state != .running { return false }
            // mem_cgroup_oom: no OOM kill for a costly order (a huge page falls back instead).
            guard n <= 1 << 3 else { return false }
            memory.memcg.event(over, .oom)
            // mem_cgroup_out_of_memory: room again (a charge was freed meanwhile) needs no kill.
            if memory.memcg.margin(over) < n {
                guard outOfMemory(memcg: over) else { return false }
            }
            if tasks[t].state != .running { return false }
            passedOOM = true
            retries = MemoryController.maxReclaimRetries
        }
    }

    /// `mem_cgroup_uncharge`: `n` pages of `pfn`'s cgroup are freed (it leaves the cgroup).
    mutating func unchargePage(_ pfn: Int, pages n: Int) {
        let g = lru.group(of: Int32(pfn))
        guard g != 0 else { return }
        memory.memcg.uncharge(g, n)
        for f in pfn..<(pfn + n) { lru.setGroup(Int32(f), 0) }
    }

    /// `commit_charge`: `n` frames from `pfn` belong to cgroup `g` (their LRU group).
    mutating func commitCharge(_ pfn: Int, pages n: Int, _ g: Int) {
        guard g != 0 else { return }
        for f in pfn..<(pfn + n) { lru.setGroup(Int32(f), g) }
    }

    /// A swap slot for page `pfn`, charged to its cgroup's memory.swap.max (`folio_alloc_swap` →
    /// `mem_cgroup_try_charge_swap`), or nil.
    mutating func allocSwapSlot(for pfn: Int) -> Int? {
        guard swap != nil, let slot = swap!.allocateSlot() else { return nil }
        let g = lru.group(of: Int32(pfn))
        if g != 0 {
            guard memory.memcg.tryChargeSwap(g, 1) else {
                releaseSwapSlot(slot)
                return nil
            }
            swap!.slotGroup[slot] = UInt16(g)
        }
        return slot
    }

    /// Frees a swap slot nobody refers to any more, uncharging its cgroup's swap.
    mutating func releaseSwapSlot(_ slot: Int) {
        let g = swap!.releaseIfUnused(slot)
        if g != 0 { memory.memcg.unchargeSwap(g, 1) }
    }

    /// Slab object bytes charged to (positive) or uncharged from cgroup `g`; the counter moves
    /// by whole pages (`obj_cgroup_charge_pages`; kernel memory is charged without reclaim).
    mutating func chargeSlab(_ g: Int, bytes: Int) {
        guard g != 0 else { return }
        memory.memcg.cgroups[g].slabBytes += bytes
        let pages = (memory.memcg.cgroups[g].slabBytes + 4095) >> 12
        let delta = pages - memory.memcg.cgroups[g].slabPages
        if delta > 0 { memory.memcg.forceCharge(g, delta) } else if delta < 0 { memory.memcg.uncharge(g, -delta) }
        memory.memcg.cgroups[g].slabPages = pages
    }

    /// Counts `c` for cgroup `g` (`count_memcg_events`).
    mutating func countMemcg(_ g: Int, _ c: MemcgCounter, _ n: Int = 1) {
        if g != 0 { memory.memcg.cgroups[g].counters[c.rawValue] += n }
    }

    // MARK: memory.high

    /// `mem_cgroup_handle_over_high` on the return to user: `reclaim_high` (a high event and
    /// reclaim for each cgroup over its memory.high, up to the root), then the penalty of
    /// `calculate_high_delay` for the pages charged over high, capped at 2 s; none at or below
    /// HZ / 100 (10 ms); while reclaim makes progress it retries (SWAP_CLUSTER_MAX at a time)
    /// instead of sleeping. The sleep is added to the cgroup's throttled time.
    mutating func handleOverHigh(_ t: Int) {
        let n = tasks[t].memcgPagesOverHigh
        guard n > 0 else { return }
        tasks[t].memcgPagesOverHigh = 0
        let g = memcg(ofMM: tasks[t].mm)
        guard g != 0 else { return }
        var retries = MemoryController.maxReclaimRetries, inRetry = false
        while tasks[t].state == .running {
            var reclaimed = 0
            for c in memory.memcg.ancestry(g) where c != 0 && memory.memcg.cgroups[c].usage > memory.memcg.cgroups[c].high {
                memory.memcg.event(c, .high)
                reclaimed += tryToFreeMemCgroupPages(c, nrPages: inRetry ? Self.swapClusterMax : n)
            }
            let penalty = min(MemoryController.highDelay(nrPages: n, maxOverage: memory.memcg.maxOverage(g)), MemoryController.maxHighDelay)
            if penalty <= MemoryController.hz / 100 { return }
            if reclaimed > 0 || retries > 0 {
                if reclaimed == 0 { retries -= 1 }
                inRetry = true
                continue
            }
            memory.memcg.cgroups[g].throttleMs += penalty * 1000 / MemoryController.hz
            return
        }
    }

    // MARK: Reclaim inside a cgroup

    /// `try_to_free_mem_cgroup_pages`: reclaim aimed at `target`'s subtree, max(nrPages,
    /// SWAP_CLUSTER_MAX) pages, from DEF_PRIORITY down (`do_try_to_free_pages`, with the retry
    /// that ignores memory.low when it skipped protected cgroups and reclaimed nothing). Counted
    /// in the cgroups' pgscan/pgsteal only, not in /proc/vmstat's pgscan_direct and
    /// pgsteal_direct (`cgroup_reclaim`). Returns the pages reclaimed.
    @discardableResult
    mutating func tryToFreeMemCgroupPages(_ target: Int, nrPages: Int) -> Int {
        let saved = sc
        sc = ReclaimControl(target: target, cgroupReclaim: true)
        defer { sc = saved }
        return doTryToFreePages(nrToReclaim: max(nrPages, Self.swapClusterMax))
    }

    /// `mem_cgroup_get_max`: memory.max plus the swap the cgroup may use, the OOM badness's
    /// totalpages inside a cgroup.
    func memcgMaxPages(_ g: Int) -> Int {
        let c = memory.memcg.cgroups[g]
        let swapPages = swap?.totalPages ?? 0
        let m = c.max == MemoryController.unlimited ? memory.phys.totalPages : c.max
        return m + min(c.swapMax, swapPages)
    }

    /// Swap slots the cgroup hierarchy of `g` may still take (`mem_cgroup_get_nr_swap_pages`).
    func memcgSwapRoom(_ g: Int) -> Int {
        var room = swap?.freePages ?? 0
        for c in memory.memcg.ancestry(g) where c != 0 {
            let cg = memory.memcg.cgroups[c]
            if cg.swapMax != MemoryController.unlimited { room = min(room, max(0, cg.swapMax - cg.swapUsage)) }
        }
        return room
    }

    // MARK: The cgroup's files

    /// The cgroup's path below the root (`/web/db`).
    /// - Complexity: O(depth).
    public func cgroupPath(_ g: Int) -> String {
        let names = memory.memcg.ancestry(g).reversed().dropFirst().map { memory.memcg.cgroups[$0].name }
        return "/" + names.joined(separator: "/")
    }

    /// The tasks of cgroup `g` itself (cgroup.procs: each process once, by its first thread).
    /// - Complexity: O(tasks).
    public func cgroupProcs(_ g: Int) -> [Int] {
        tasks.filter { $0.memcg == g && $0.state == .running && $0.tgid == $0.pid }.map(\.pid)
    }

    /// memory.stat of cgroup `g` (it and its descendants), in the kernel's key order
    /// (`memory_stat_format`): page amounts in bytes, events as counts. Only the keys VMSim models.
    /// - Complexity: O(frames).
    public func memcgStat(_ g: Int) -> [(key: String, value: Int)] {
        let mc = memory.memcg
        let members = Set(mc.subtree(g))
        var anon = 0, file = 0, shmem = 0, mapped = 0, dirty = 0, swapcached = 0, anonTHP = 0
        var pfn = 0
        let count = frames.frames.count
        while pfn < count {
            let f = frames[pfn]
            let n = f.order == 9 ? Self.hugePages : 1
            defer { pfn += n }
            guard pfn != zeroPfn, members.contains(lru.group(of: Int32(pfn))), f.flags.contains(.lru) || f.mapcount > 0 || f.file >= 0 || f.flags.contains(.swapCache) else { continue }
            if f.file >= 0 {
                file += n
                if f.flags.contains(.swapBacked) { shmem += n } else if f.flags.contains(.dirty) { dirty += n }
                if f.mapcount > 0 { mapped += n }
            } else {
                if f.mapcount > 0 { anon += n; if f.order == 9 { anonTHP += n } }
                if f.flags.contains(.swapCache) { file += n; swapcached += n }
            }
        }
        func sum(_ body: (MemCgroup) -> Int) -> Int { members.reduce(0) { $0 + body(mc.cgroups[$1]) } }
        func lists(_ l: LRUVector.List) -> Int { members.reduce(0) { $0 + lru.pages(l, in: $1) } }
        func events(_ c: MemcgCounter) -> Int { sum { $0.count(c) } }
        let tables = sum(\.pageTables), slab = sum(\.slabBytes), kernel = tables + sum(\.slabPages)
        var out: [(String, Int)] = [
            ("anon", anon << 12), ("file", file << 12), ("kernel", kernel << 12), ("pagetables", tables << 12),
            ("shmem", shmem << 12), ("file_mapped", mapped << 12), ("file_dirty", dirty << 12), ("file_writeback", 0),
            ("swapcached", swapcached << 12), ("anon_thp", anonTHP << 12), ("file_thp", 0), ("shmem_thp", 0),
            ("inactive_anon", lists(.inactiveAnon) << 12), ("active_anon", lists(.activeAnon) << 12),
            ("inactive_file", lists(.inactiveFile) << 12), ("active_file", lists(.activeFile) << 12), ("unevictable", 0),
            ("slab_reclaimable", 0), ("slab_unreclaimable", slab), ("slab", slab),
        ]
        for c in [MemcgCounter.workingsetRefaultAnon, .workingsetRefaultFile, .workingsetActivateAnon, .workingsetActivateFile,
                  .workingsetRestoreAnon, .workingsetRestoreFile] {
            out.append((c.description, events(c)))
        }
        out.append(("workingset_nodereclaim", 0))
        out.append(("pgscan", events(.pgscanKswapd) + events(.pgscanDirect)))
        out.append(("pgsteal", events(.pgstealKswapd) + events(.pgstealDirect)))
        out.append(("pgscan_kswapd", events(.pgscanKswapd)))
        out.append(("pgscan_direct", events(.pgscanDirect)))
        out.append(("pgscan_khugepaged", 0))
        out.append(("pgsteal_kswapd", events(.pgstealKswapd)))
        out.append(("pgsteal_direct", events(.pgstealDirect)))
        out.append(("pgsteal_khugepaged", 0))
        for c in [MemcgCounter.pgfault, .pgmajfault, .pgrefill, .pgactivate, .pgdeactivate, .pglazyfree, .pglazyfreed, .thpFaultAlloc] {
            out.append((c.description, events(c)))
        }
        out.append(("thp_collapse_alloc", 0))
        return out.map { (key: $0.0, value: $0.1) }
    }

    /// The names of the files `cgroupFile` prints.
    public static let cgroupFiles = ["memory.current", "memory.max", "memory.high", "memory.low", "memory.min", "memory.peak",
                                     "memory.events", "memory.events.local", "memory.stat", "memory.swap.current",
                                     "memory.swap.max", "memory.swap.events", "memory.oom.group", "cgroup.procs"]

    /// The file `name` of cgroup `g`'s folder in the kernel's format (bytes, `max` for no limit),
    /// or nil for a file VMSim does not have.
    /// - Complexity: O(frames) for memory.stat, O(tasks) for cgroup.procs, else O(1).
    public func cgroupFile(_ g: Int, _ name: String) -> String? {
        let c = memory.memcg.cgroups[g]
        func limit(_ v: Int) -> String { v == MemoryController.unlimited ? "max\n" : "\(UInt64(v) << 12)\n" }
        switch name {
        case "memory.current": return "\(c.usage << 12)\n"
        case "memory.max": return limit(c.max)
        case "memory.high": return limit(c.high)
        case "memory.low": return "\(c.low << 12)\n"
        case "memory.min": return "\(c.min << 12)\n"
        case "memory.peak": return "\(c.peak << 12)\n"
        case "memory.events": return c.events.text
        case "memory.events.local": return c.eventsLocal.text
        case "memory.stat": return memcgStat(g).map { "\($0.key) \($0.value)\n" }.joined()
        case "memory.swap.current": return "\(c.swapUsage << 12)\n"
        case "memory.swap.max": return limit(c.swapMax)
        case "memory.swap.events": return "high 0\nmax \(c.swapEvents.max)\nfail \(c.swapEvents.fail)\n"
        case "memory.oom.group": return c.oomGroup ? "1\n" : "0\n"
        case "cgroup.procs": return cgroupProcs(g).map { "\($0)\n" }.joined()
        default: return nil
        }
    }
}

/// The limits of a memory cgroup, in pages (nil: leave as it is; `MemoryController.unlimited`: max).
public struct CgroupLimits: Sendable, Hashable {
    public var max: Int?, high: Int?, low: Int?, min: Int?, swapMax: Int?
    /// memory.oom.group.
    public var oomGroup: Bool?
    /// Limits to set.
    /// - Complexity: O(1).
    public init(max: Int? = nil, high: Int? = nil, low: Int? = nil, min: Int? = nil, swapMax: Int? = nil, oomGroup: Bool? = nil) {
        self.max = max; self.high = high; self.low = low; self.min = min; self.swapMax = swapMax; self.oomGroup = oomGroup
    }
}

/// What the reclaim in progress aims at (`struct scan_control`'s memcg fields).
struct ReclaimControl {
    /// `target_mem_cgroup` (0: the root, global reclaim).
    var target = 0
    /// `cgroup_reclaim(sc)`: reclaim for a cgroup's limit.
    var cgroupReclaim = false
    /// `memcg_low_reclaim`: memory.low is ignored (the second pass).
    var memcgLowReclaim = false
    /// `memcg_low_skipped`: a cgroup was spared for its memory.low.
    var memcgLowSkipped = false
}
