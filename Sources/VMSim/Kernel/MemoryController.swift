/// The bookkeeping of the cgroup v2 memory controller (mm/memcontrol.c, mm/page_counter.c): a tree
/// of memory cgroups, each with its limits and `page_counter`s (memory and swap, charged up the
/// hierarchy), its events and statistics, and the per-CPU charge stocks (`memcg_stock_pcp`). What
/// the machine does when a charge fails (reclaim inside the cgroup, the cgroup's OOM killer) and
/// the throttling at memory.high are `Machine`'s (Memcontrol.swift); the lists reclaim scans are
/// the groups of `LRUVector`, one per cgroup.
///
/// Cgroup 0 is the root: never charged itself (`mem_cgroup_is_root` pages are not counted), no
/// limits, its counter the sum of its children's.
///
///     var mc = MemoryController(cpus: 1)
///     let a = try mc.create(name: "a", parent: 0)
///     mc.cgroups[a].max = 100
///     mc.tryCharge(a, 64)            // nil: charged
///     mc.tryCharge(a, 64)            // a: over its max, nothing charged
///
/// - Complexity: O(depth) per charge.
public struct MemoryController: Sendable {
    /// The cgroups, the root first, in creation order (a parent before its children).
    public internal(set) var cgroups: [MemCgroup]
    /// `memcg_stock_pcp` per CPU: the cgroup whose charge is cached and how many pages.
    var stocks: [(group: Int, pages: Int)]

    /// `MEMCG_CHARGE_BATCH`: pages charged at once and cached in the stock.
    public static let chargeBatch = 64
    /// `MAX_RECLAIM_RETRIES`.
    public static let maxReclaimRetries = 16
    /// `HZ` of the kernel whose delays are reproduced (CONFIG_HZ_1000): a jiffy is 1 ms.
    public static let hz = 1000
    /// `PAGE_COUNTER_MAX` as a limit: no limit.
    public static let unlimited = Int.max

    /// A controller with only the root cgroup.
    /// - Complexity: O(cpus).
    public init(cpus: Int) {
        cgroups = [MemCgroup(name: "", parent: -1)]
        stocks = Array(repeating: (0, 0), count: cpus)
    }

    /// Whether any cgroup besides the root exists.
    @inlinable public var active: Bool { cgroups.count > 1 }

    /// The cgroup named `name` (its path below the root, as given), if any.
    /// - Complexity: O(cgroups).
    public func index(named name: String) -> Int? { cgroups.firstIndex { $0.name == name } }

    /// A new cgroup below `parent`.
    /// - Throws: `VMAError.invalid` when the name is taken or the parent does not exist.
    /// - Complexity: O(cgroups).
    public mutating func create(name: String, parent: Int) throws(VMAError) -> Int {
        guard !name.isEmpty, index(named: name) == nil else { throw .invalid("cgroup \(name) exists already") }
        guard cgroups.indices.contains(parent) else { throw .invalid("no parent cgroup \(parent)") }
        cgroups.append(MemCgroup(name: name, parent: parent))
        cgroups[parent].children.append(cgroups.count - 1)
        return cgroups.count - 1
    }

    /// `g` and its ancestors up to the root, `g` first.
    /// - Complexity: O(depth).
    public func ancestry(_ g: Int) -> [Int] {
        var out: [Int] = [], c = g
        while c >= 0 { out.append(c); c = cgroups[c].parent }
        return out
    }

    /// `mem_cgroup_is_descendant`: whether `g` is `root` or below it.
    /// - Complexity: O(depth).
    public func isDescendant(_ g: Int, of root: Int) -> Bool {
        var c = g
        while c >= 0 { if c == root { return true }; c = cgroups[c].parent }
        return false
    }

    /// `mem_cgroup_iter`'s order: `root` and every cgroup below it, depth first, parents first.
    /// - Complexity: O(subtree).
    public func subtree(_ root: Int) -> [Int] {
        var out: [Int] = [], stack = [root]
        while let c = stack.popLast() {
            out.append(c)
            stack.append(contentsOf: cgroups[c].children.reversed())
        }
        return out
    }

    // MARK: page_counter

    /// `page_counter_try_charge` up the hierarchy: nil when every level took `n` pages, else the
    /// cgroup whose memory.max refused (nothing is charged then).
    /// - Complexity: O(depth).
    public mutating func tryCharge(_ g: Int, _ n: Int) -> Int? {
        var c = g
        while c >= 0 {
            if cgroups[c].usage + n > cgroups[c].max {
                var u = g
                while u != c { cgroups[u].usage -= n; u = cgroups[u].parent }
                return c
            }
            cgroups[c].usage += n
            cgroups[c].peak = Swift.max(cgroups[c].peak, cgroups[c].usage)
            c = cgroups[c].parent
        }
        return nil
    }

    /// `page_counter_charge`: `n` pages whatever the limits (kernel memory, a forced charge).
    /// - Complexity: O(depth).
    public mutating func forceCharge(_ g: Int, _ n: Int) {
        var c = g
        while c >= 0 {
            cgroups[c].usage += n
            cgroups[c].peak = Swift.max(cgroups[c].peak, cgroups[c].usage)
            c = cgroups[c].parent
        }
    }

    /// `page_counter_uncharge` up the hierarchy.
    /// - Complexity: O(depth).
    public mutating func uncharge(_ g: Int, _ n: Int) {
        var c = g
        while c >= 0 { cgroups[c].usage -= n; c = cgroups[c].parent }
    }

    /// `mem_cgroup_margin`: pages `g` can still take before its memory.max.
    /// - Complexity: O(1).
    public func margin(_ g: Int) -> Int {
        let c = cgroups[g]
        return c.max == Self.unlimited ? Int.max : Swift.max(0, c.max - c.usage)
    }

    /// `mem_cgroup_try_charge_swap`: `n` swap slots charged to `g` and its ancestors, or false (with
    /// swap max and swap fail events, `memory.swap.events`) when a memory.swap.max refuses.
    /// - Complexity: O(depth).
    public mutating func tryChargeSwap(_ g: Int, _ n: Int) -> Bool {
        guard g != 0 else { return true }
        var c = g
        while c >= 0 {
            if cgroups[c].swapUsage + n > cgroups[c].swapMax {
                var u = g
                while u != c { cgroups[u].swapUsage -= n; u = cgroups[u].parent }
                cgroups[c].swapEvents.max += 1
                cgroups[g].swapEvents.fail += 1
                return false
            }
            cgroups[c].swapUsage += n
            c = cgroups[c].parent
        }
        return true
    }

    /// `mem_cgroup_uncharge_swap`.
    /// - Complexity: O(depth).
    public mutating func unchargeSwap(_ g: Int, _ n: Int) {
        guard g != 0 else { return }
        var c = g
        while c >= 0 { cgroups[c].swapUsage -= n; c = cgroups[c].parent }
    }

    // MARK: The per-CPU stock

    /// `consume_stock`: the CPU's cached charge covers `n` pages of `g`.
    /// - Complexity: O(1).
    public mutating func consumeStock(_ g: Int, _ n: Int, cpu: Int) -> Bool {
        guard n <= Self.chargeBatch, stocks[cpu].group == g, stocks[cpu].pages >= n else { return false }
        stocks[cpu].pages -= n
        return true
    }

    /// `refill_stock`: `n` charged pages of `g` cached on the CPU (a stock of another cgroup is
    /// drained first; more than a batch drains it all).
    /// - Complexity: O(depth).
    public mutating func refillStock(_ g: Int, _ n: Int, cpu: Int) {
        if stocks[cpu].group != g {
            drainStock(cpu: cpu)
            stocks[cpu].group = g
        }
        stocks[cpu].pages += n
        if stocks[cpu].pages > Self.chargeBatch { drainStock(cpu: cpu) }
    }

    /// `drain_stock`: the cached pages are uncharged.
    /// - Complexity: O(depth).
    public mutating func drainStock(cpu: Int) {
        let (g, n) = stocks[cpu]
        if g != 0 && n > 0 { uncharge(g, n) }
        stocks[cpu] = (0, 0)
    }

    /// `drain_all_stock`: every CPU's stock of a cgroup at or below `root`.
    /// - Complexity: O(cpus × depth).
    public mutating func drainAllStock(_ root: Int) {
        for c in stocks.indices where stocks[c].pages > 0 && isDescendant(stocks[c].group, of: root) { drainStock(cpu: c) }
    }

    // MARK: Events and protection

    /// `memcg_memory_event`: memory.events.local of `g`, memory.events of `g` and its ancestors
    /// below the root.
    /// - Complexity: O(depth).
    public mutating func event(_ g: Int, _ e: MemcgEvents.Kind) {
        guard g != 0 else { return }
        cgroups[g].eventsLocal[e] += 1
        var c = g
        while c > 0 { cgroups[c].events[e] += 1; c = cgroups[c].parent }
    }

    /// `mem_cgroup_calculate_protection` → `page_counter_calculate_protection`: `g`'s effective
    /// memory.min and memory.low (emin, elow) for reclaim aimed at `root`: its own settings below
    /// a top-level parent, else `effective_protection`'s share of the parent's (the children's
    /// claims scaled down when together they claim more than the parent has).
    /// - Complexity: O(siblings).
    public mutating func calculateProtection(root: Int, _ g: Int) {
        guard g != root, g != 0 else { return }
        let usage = cgroups[g].usage
        guard usage > 0 else { return }
        let p = cgroups[g].parent
        if p == root {
            cgroups[g].emin = cgroups[g].min
            cgroups[g].elow = cgroups[g].low
            return
        }
        let childrenMin = cgroups[p].children.reduce(0) { $0 + Swift.min(cgroups[$1].usage, cgroups[$1].min) }
        let childrenLow = cgroups[p].children.reduce(0) { $0 + Swift.min(cgroups[$1].usage, cgroups[$1].low) }
        cgroups[g].emin = Self.effectiveProtection(usage: usage, setting: cgroups[g].min, parentEffective: cgroups[p].emin, siblingsProtected: childrenMin)
        cgroups[g].elow = Self.effectiveProtection(usage: usage, setting: cgroups[g].low, parentEffective: cgroups[p].elow, siblingsProtected: childrenLow)
    }

    /// `effective_protection` without `memory_recursiveprot`: min(usage, setting), scaled by
    /// parent_effective / siblings_protected when the siblings claim more than the parent affords.
    /// - Complexity: O(1).
    public static func effectiveProtection(usage: Int, setting: Int, parentEffective: Int, siblingsProtected: Int) -> Int {
        let protected = Swift.min(usage, setting)
        if siblingsProtected > parentEffective {
            return Int(UInt64(protected) * UInt64(parentEffective) / UInt64(siblingsProtected))
        }
        return protected
    }

    /// `mem_cgroup_below_min`: `g`'s usage is within its effective memory.min (never for the
    /// reclaim target or the root).
    /// - Complexity: O(1).
    public func belowMin(root: Int, _ g: Int) -> Bool {
        guard g != root, g != 0 else { return false }
        return cgroups[g].emin >= cgroups[g].usage
    }

    /// `mem_cgroup_below_low`.
    /// - Complexity: O(1).
    public func belowLow(root: Int, _ g: Int) -> Bool {
        guard g != root, g != 0 else { return false }
        return cgroups[g].elow >= cgroups[g].usage
    }

    /// `mem_cgroup_protection`: (emin, elow) for reclaim aimed at `root` (none for the target itself).
    /// - Complexity: O(1).
    public func protection(root: Int, _ g: Int) -> (min: Int, low: Int) {
        guard g != root, g != 0 else { return (0, 0) }
        return (cgroups[g].emin, cgroups[g].elow)
    }

    // MARK: memory.high

    /// `MEMCG_DELAY_PRECISION_SHIFT` and `MEMCG_DELAY_SCALING_SHIFT`.
    public static let delayPrecisionShift = 20, delayScalingShift = 14

    /// `calculate_overage`: how far `usage` is over `high`, as a fraction of high in 2^-20 units.
    /// - Complexity: O(1).
    public static func overage(usage: Int, high: Int) -> UInt64 {
        guard usage > high else { return 0 }
        let h = UInt64(Swift.max(high, 1))
        return (UInt64(usage - high) << UInt64(delayPrecisionShift)) / h
    }

    /// `mem_find_max_overage`: the largest overage of `g` and its ancestors below the root.
    /// - Complexity: O(depth).
    public func maxOverage(_ g: Int) -> UInt64 {
        var m: UInt64 = 0, c = g
        while c > 0 {
            m = Swift.max(m, Self.overage(usage: cgroups[c].usage, high: cgroups[c].high))
            c = cgroups[c].parent
        }
        return m
    }

    /// `calculate_high_delay`: the penalty in jiffies for `nrPages` charged over high with
    /// `maxOverage`: overage² × HZ >> 20 >> 14, scaled by nr_pages / MEMCG_CHARGE_BATCH. The kernel's
    /// table for high = 100M (one batch): 101M → 6 ms, 105M → 159, 110M → 639, 117M → 1849; the
    /// caller caps it at 2 s (`MEMCG_MAX_HIGH_DELAY_JIFFIES`). Where the kernel's u64 arithmetic
    /// would wrap (an overage of thousands of times high) the penalty saturates instead.
    /// - Complexity: O(1).
    public static func highDelay(nrPages: Int, maxOverage: UInt64) -> Int {
        guard maxOverage > 0 else { return 0 }
        let saturated = Int.max / 2
        let (square, o1) = maxOverage.multipliedReportingOverflow(by: maxOverage)
        let (penalty, o2) = square.multipliedReportingOverflow(by: UInt64(hz))
        guard !o1, !o2 else { return saturated }
        let jiffies = (penalty >> UInt64(delayPrecisionShift)) >> UInt64(delayScalingShift)
        let (scaled, o3) = jiffies.multipliedReportingOverflow(by: UInt64(Swift.max(0, nrPages)))
        guard !o3 else { return saturated }
        return Int(Swift.min(scaled / UInt64(chargeBatch), UInt64(saturated)))
    }

    /// `MEMCG_MAX_HIGH_DELAY_JIFFIES`: 2 s.
    public static let maxHighDelay = 2 * hz
}

/// One memory cgroup (`struct mem_cgroup`): its place in the tree, limits in pages, usage, events
/// and counters.
public struct MemCgroup: Sendable {
    /// The name given (its path below the root, e.g. `web` or `web/db`); the root's is empty.
    public let name: String
    /// The parent's index (-1 for the root).
    public let parent: Int
    /// The children's indices.
    public internal(set) var children: [Int] = []
    /// memory.max, memory.high, memory.low, memory.min and memory.swap.max, in pages
    /// (`MemoryController.unlimited`: max).
    public internal(set) var max = MemoryController.unlimited, high = MemoryController.unlimited
    public internal(set) var low = 0, min = 0
    public internal(set) var swapMax = MemoryController.unlimited
    /// memory.oom.group: the OOM killer kills the whole cgroup.
    public internal(set) var oomGroup = false
    /// memory.current and memory.swap.current in pages (this cgroup and its descendants), and
    /// memory.peak.
    public internal(set) var usage = 0, swapUsage = 0, peak = 0
    /// memory.events (this cgroup and its descendants) and memory.events.local.
    public internal(set) var events = MemcgEvents(), eventsLocal = MemcgEvents()
    /// memory.swap.events: max (a charge refused here), fail (a swap-out of this cgroup refused).
    public internal(set) var swapEvents = (max: 0, fail: 0)
    /// Time its tasks slept at memory.high (`mem_cgroup_handle_over_high`), in ms.
    public internal(set) var throttleMs = 0
    /// Kernel memory charged here (not below): page-table pages and slab bytes.
    public internal(set) var pageTables = 0, slabBytes = 0
    /// Pages charged for slab objects (`obj_cgroup_charge_pages`: whole pages for the bytes).
    var slabPages = 0
    /// Event counters charged here, by `MemcgCounter`.
    var counters = [Int](repeating: 0, count: MemcgCounter.allCases.count)
    /// Effective protection (`memory.emin`, `memory.elow`) of the last reclaim.
    var emin = 0, elow = 0

    init(name: String, parent: Int) {
        self.name = name
        self.parent = parent
    }

    /// This cgroup's own count of `c`.
    /// - Complexity: O(1).
    public func count(_ c: MemcgCounter) -> Int { counters[c.rawValue] }
}

/// memory.events: low, high, max, oom, oom_kill, oom_group_kill.
public struct MemcgEvents: Sendable, Hashable {
    /// The events in the kernel's order (`enum memcg_memory_event`).
    public enum Kind: Int, CaseIterable, Sendable, CustomStringConvertible {
        case low, high, max, oom, oomKill, oomGroupKill
        /// The name in memory.events.
        public var description: String { ["low", "high", "max", "oom", "oom_kill", "oom_group_kill"][rawValue] }
    }
    var counts = [Int](repeating: 0, count: Kind.allCases.count)
    /// The count of `kind`.
    public subscript(kind: Kind) -> Int {
        get { counts[kind.rawValue] }
        set { counts[kind.rawValue] = newValue }
    }
    /// memory.events' text: `low 0` ... one per line.
    public var text: String { Kind.allCases.map { "\($0) \(self[$0])\n" }.joined() }
}

/// The event counters of memory.stat that VMSim counts per cgroup (`memcg_vm_event_stat` and the
/// workingset items), with their kernel names.
public enum MemcgCounter: Int, CaseIterable, Sendable, CustomStringConvertible {
    case workingsetRefaultAnon, workingsetRefaultFile, workingsetActivateAnon, workingsetActivateFile
    case workingsetRestoreAnon, workingsetRestoreFile
    case pgscanKswapd, pgscanDirect, pgstealKswapd, pgstealDirect
    case pgfault, pgmajfault, pgrefill, pgactivate, pgdeactivate, pglazyfree, pglazyfreed
    case thpFaultAlloc
    /// The memory.stat key.
    public var description: String {
        ["workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon", "workingset_activate_file",
         "workingset_restore_anon", "workingset_restore_file",
         "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
         "pgfault", "pgmajfault", "pgrefill", "pgactivate", "pgdeactivate", "pglazyfree", "pglazyfreed",
         "thp_fault_alloc"][rawValue]
    }
}
