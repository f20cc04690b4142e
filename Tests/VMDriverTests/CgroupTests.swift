import Testing
import VMDriver
import VMTrace
import VMReport
@testable import VMSim

/// The cgroup v2 memory controller against mm/memcontrol.c's own numbers (the
/// `calculate_high_delay` table in its source) and against counts from its rules.
@Suite("Kernel: memory cgroups")
struct CgroupTests {
    /// Runs `lines`, checking every invariant at the end (after every operation with `check`:
    /// slow, for the small runs).
    func run(_ lines: [String], check: Bool = false) throws -> (WorkloadRunner, RunReport) {
        var runner = WorkloadRunner(file: "t.vms", checkInvariants: check)
        for line in lines { try runner.run(line) }
        let r = try runner.finish()
        #expect(runner.machine!.checkInvariants() == [])
        return (runner, r)
    }

    func cgroup(_ r: RunReport, _ name: String) -> RunReport.Cgroup { r.cgroups.first { $0.name == name }! }
    func event(_ c: RunReport.Cgroup, _ e: String) -> Int { c.events.first { $0.0 == e }!.1 }
    func stat(_ c: RunReport.Cgroup, _ key: String) -> Int { c.stat.first { $0.key == key }!.value }

    /// The table in mm/memcontrol.c above MEMCG_DELAY_PRECISION_SHIFT: memory.high = 100M, one
    /// batch (MEMCG_CHARGE_BATCH pages) charged, delay capped at MEMCG_MAX_HIGH_DELAY_JIFFIES.
    @Test(arguments: [(100, 0), (101, 6), (102, 25), (105, 159), (110, 639), (113, 1081), (117, 1849), (118, 2000), (120, 2000)])
    func highDelayIsTheKernelsTable(usageMiB: Int, ms: Int) {
        let high = 100 << 8, usage = usageMiB << 8   // pages
        let delay = MemoryController.highDelay(nrPages: MemoryController.chargeBatch,
                                               maxOverage: MemoryController.overage(usage: usage, high: high))
        #expect(min(delay, MemoryController.maxHighDelay) == ms)
    }

    @Test func theDelayScalesWithThePagesChargedAndSaturates() {
        let o = MemoryController.overage(usage: 105 << 8, high: 100 << 8)
        #expect(MemoryController.highDelay(nrPages: 128, maxOverage: o) == 318)
        #expect(MemoryController.highDelay(nrPages: 32, maxOverage: o) == 79)
        // usage 10000 times high: the kernel's u64 would wrap; VMSim saturates (then capped at 2 s).
        #expect(MemoryController.highDelay(nrPages: 64, maxOverage: MemoryController.overage(usage: 10_000, high: 1)) >= MemoryController.maxHighDelay)
    }

    /// `effective_protection`: children claiming more than the parent's protection share it in
    /// proportion to their protected usage.
    @Test func effectiveProtectionSharesAnOvercommittedParent() {
        #expect(MemoryController.effectiveProtection(usage: 100, setting: 50, parentEffective: 200, siblingsProtected: 100) == 50)
        #expect(MemoryController.effectiveProtection(usage: 100, setting: 80, parentEffective: 60, siblingsProtected: 120) == 40)
        #expect(MemoryController.effectiveProtection(usage: 30, setting: 80, parentEffective: 60, siblingsProtected: 120) == 15)
    }

    /// Charges go up the hierarchy; memory.current counts user pages, page tables and slab
    /// objects (in whole pages), plus the batch cached in the per-CPU stock.
    @Test func chargesGoUpTheHierarchyInBatches() throws {
        let (runner, r) = try run(["machine memory=64M", "cgroup p", "cgroup c parent=p", "process A cgroup=c",
                                   "A mmap m 1M rw private anon", "A touch m 0 4K write"], check: true)
        let c = cgroup(r, "c"), p = cgroup(r, "p")
        #expect(c.path == "/p/c" && p.path == "/p")
        // One page faulted: a batch of 64 charged, 63 left in the stock; 4 table pages (PGD, PUD,
        // PMD, PTE); mm_struct + anon_vma + task_struct + vm_area_struct = 7,784 bytes = 2 pages.
        #expect(stat(c, "pagetables") == 4 << 12)
        #expect(stat(c, "slab") == 1600 + 104 + 5888 + 192)
        #expect(stat(c, "kernel") == (4 + 2) << 12)
        #expect(stat(c, "anon") == 4096)
        #expect(c.current == UInt64(64 + 4 + 2) << 12)
        #expect(p.current == c.current)
        #expect(c.procs == [1])
        let m = runner.machine!
        #expect(m.cgroupFile(1, "memory.max") == "max\n")
        #expect(m.cgroupFile(2, "memory.current") == "\((64 + 6) << 12)\n")
        #expect(m.cgroupFile(2, "memory.events")!.hasPrefix("low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"))
    }

    /// At memory.max the cgroup reclaims its own pages (to swap here) and the rest of the machine
    /// is untouched: reclaim for a cgroup's limit is counted in its memory.stat, not in
    /// /proc/vmstat's pgscan_direct.
    @Test func atMaxTheCgroupReclaimsItself() throws {
        let (runner, r) = try run(["machine memory=16M swap=16M", "cgroup a max=2M", "process A cgroup=a", "process B",
                                   "B mmap m 4M rw private anon", "B touch m 0 4M write",
                                   "A mmap m 4M rw private anon", "A touch m 0 4M write"])
        let a = cgroup(r, "a")
        #expect(a.current <= 2 << 20 && a.peak <= 2 << 20)
        #expect(event(a, "max") > 0 && event(a, "oom") == 0)
        #expect(stat(a, "pgsteal_direct") > 0)
        #expect(r.vmstat.first { $0.0 == "pgscan_direct" }!.1 == 0)
        #expect(r.processes[1].rssPages == 1024 && r.processes[1].swapPages == 0)
        #expect(r.processes[0].swapPages > 0)
        #expect(a.swapCurrent == UInt64(r.processes[0].swapPages) << 12)
        #expect(runner.machine!.mismatches == 0)
    }

    /// Without swap nothing of the cgroup can be reclaimed: the cgroup's OOM killer chooses among
    /// its own tasks only (the largest, A2), never B outside, which is larger still.
    @Test func atMaxTheCgroupOOMKillsInsideItselfOnly() throws {
        let (_, r) = try run(["machine memory=64M", "cgroup a max=4M", "process A1 cgroup=a", "process A2 cgroup=a", "process B",
                              "B mmap m 16M rw private anon", "B touch m 0 16M write",
                              "A1 mmap m 1M rw private anon", "A1 touch m 0 1M write",
                              "A2 mmap m 8M rw private anon", "A2 touch m 0 8M write"])
        let a = cgroup(r, "a")
        #expect(r.processes.map(\.state) == [.running, .killed, .running])
        #expect(event(a, "oom") >= 1 && event(a, "oom_kill") == 1 && event(a, "max") >= 1)
        #expect(r.vmstat.first { $0.0 == "oom_kill" }!.1 == 1)
        #expect(r.events.contains { $0.kind == "oom" && $0.text.hasPrefix("Memory cgroup out of memory: Killed process 2 (A2)") })
        // A2's memory is gone; what is left is A1's.
        #expect(a.current < 2 << 20)
    }

    /// memory.oom.group: the whole cgroup dies with its victim (one oom_group_kill).
    @Test func oomGroupKillsTheWholeCgroup() throws {
        let (_, r) = try run(["machine memory=64M", "cgroup a max=4M oom.group=1", "process A1 cgroup=a", "process A2 cgroup=a",
                              "A1 mmap m 1M rw private anon", "A1 touch m 0 1M write",
                              "A2 mmap m 8M rw private anon", "A2 touch m 0 8M write"])
        let a = cgroup(r, "a")
        #expect(r.processes.map(\.state) == [.killed, .killed])
        #expect(event(a, "oom_group_kill") == 1 && event(a, "oom_kill") == 2)
        #expect(a.current == 0)
    }

    /// memory.low under global pressure: P's 6M stay resident while Q, unprotected, is swapped;
    /// no low event, since the first pass found enough elsewhere (`shrink_node_memcgs`).
    @Test func memoryLowProtectsUnderGlobalPressure() throws {
        let (_, r) = try run(["machine memory=32M swap=64M", "cgroup prot low=8M", "cgroup other",
                              "process P cgroup=prot", "process Q cgroup=other",
                              "P mmap m 6M rw private anon", "P touch m 0 6M write",
                              "Q mmap m 40M rw private anon", "Q touch m 0 40M write"])
        #expect(r.processes[0].rssPages == 1536 && r.processes[0].swapPages == 0)
        #expect(r.processes[1].swapPages > 0)
        #expect(event(cgroup(r, "prot"), "low") == 0)
        #expect(r.vmstat.first { $0.0 == "pgscan_direct" }!.1 + r.vmstat.first { $0.0 == "pgscan_kswapd" }!.1 > 0)
    }

    /// When only protected memory is left to reclaim (Q may not swap: swap.max=0), the first pass
    /// skips P and reclaims nothing, and the second pass reclaims P with low events.
    @Test func memoryLowGivesWayOnTheSecondPass() throws {
        let (_, r) = try run(["machine memory=32M swap=64M", "cgroup prot low=16M", "cgroup other swap.max=0",
                              "process P cgroup=prot", "process Q cgroup=other",
                              "P mmap m 12M rw private anon", "P touch m 0 12M write",
                              "Q mmap m 24M rw private anon", "Q touch m 0 24M write"])
        #expect(r.processes[0].swapPages > 0)
        #expect(r.processes[1].swapPages == 0)
        #expect(event(cgroup(r, "prot"), "low") > 0)
        #expect(cgroup(r, "other").swapCurrent == 0)
    }

    /// memory.high without swap: reclaim cannot keep up, so every batch charged over high sleeps
    /// `calculate_high_delay`'s penalty (over 10 ms, capped at 2 s); usage is not limited.
    @Test func overHighTheTaskIsThrottled() throws {
        let (_, r) = try run(["machine memory=64M", "cgroup a high=1M", "process A cgroup=a",
                              "A mmap m 2M rw private anon", "A touch m 0 2M write"])
        let a = cgroup(r, "a")
        let kernelPages = stat(a, "kernel") >> 12
        // Each batch of 64 pages is charged on a fault; usage after batch k is 64k + the kernel
        // pages; a batch that leaves usage over high (256 pages) is throttled on the return to user.
        var expected = 0
        for k in 1...8 where 64 * k + kernelPages > 256 {
            let d = min(MemoryController.highDelay(nrPages: 64, maxOverage: MemoryController.overage(usage: 64 * k + kernelPages, high: 256)), 2000)
            if d > 10 { expected += d }
        }
        #expect(expected > 0)
        #expect(a.throttleMs == expected)
        #expect(event(a, "high") > 0 && event(a, "max") == 0)
        #expect(a.current == UInt64(512 + kernelPages) << 12)
        #expect(r.processes[0].state == .running)
    }

    /// A swap charge over memory.swap.max fails, so the page cannot go out: with max and
    /// swap.max of 1M each, a 4M working set gets 1M of swap, then the cgroup's OOM killer.
    @Test func swapMaxLimitsTheCgroupsSwap() throws {
        let (runner, r) = try run(["machine memory=32M swap=32M", "cgroup a max=1M swap.max=1M", "process A cgroup=a",
                                   "A mmap m 4M rw private anon", "A touch m 0 4M write", "show a memory.swap.events"])
        let a = cgroup(r, "a")
        #expect(r.processes[0].state == .killed)
        #expect(event(a, "oom_kill") == 1)
        #expect(runner.machine!.memory.memcg.cgroups[1].swapEvents.max > 0)
        #expect(r.events.contains { $0.text.contains("memory.swap.events") })
        #expect(a.swapCurrent == 0)   // A's slots freed with A
    }

    /// A lower memory.max written later reclaims down to it (`memory_max_write`).
    @Test func loweringMaxReclaims() throws {
        let (_, r) = try run(["machine memory=32M swap=32M", "cgroup a", "process A cgroup=a",
                              "A mmap m 4M rw private anon", "A touch m 0 4M write", "cgroup a max=1M"])
        let a = cgroup(r, "a")
        #expect(a.current <= 1 << 20)
        #expect(a.max == 1 << 20)
        #expect(r.processes[0].swapPages >= 3 * 256 - 64)
    }

    @Test func showPrintsTheKernelsFiles() throws {
        let (_, r) = try run(["machine memory=16M", "cgroup a max=2M high=1M low=512K", "show a memory.max", "show a memory.high",
                              "show a memory.low", "show a memory.min", "show a memory.stat"])
        let shows = r.events.filter { $0.kind == "show" }.map(\.text)
        #expect(shows[0] == "/sys/fs/cgroup/a/memory.max\n2097152\n")
        #expect(shows[1] == "/sys/fs/cgroup/a/memory.high\n1048576\n")
        #expect(shows[2] == "/sys/fs/cgroup/a/memory.low\n524288\n")
        #expect(shows[3] == "/sys/fs/cgroup/a/memory.min\n0\n")
        #expect(shows[4].hasPrefix("/sys/fs/cgroup/a/memory.stat\nanon 0\nfile 0\nkernel 0\n"))
    }

    @Test func forkedChildrenStayInTheirParentsCgroup() throws {
        let (_, r) = try run(["machine memory=32M", "cgroup a", "process A cgroup=a", "A mmap m 1M rw private anon",
                              "A touch m 0 1M write", "A fork B", "B touch m 0 1M write"])
        #expect(cgroup(r, "a").procs == [1, 2])
        #expect(stat(cgroup(r, "a"), "anon") == 2 << 20)
    }

    @Test(arguments: [
        ("process A cgroup=x", "t.vms:1: unknown cgroup 'x'"),
        ("cgroup a max=abc", "t.vms:1: max=abc: give a size"),
        ("cgroup a low=max", "t.vms:1: low=max: low takes a size"),
        ("cgroup a parent=b", "t.vms:1: unknown parent cgroup 'b'"),
        ("cgroup a parent=a", "t.vms:1: cgroup a cannot be its own parent"),
        ("cgroup a size=1M", "t.vms:1: unknown cgroup setting 'size'"),
        ("cgroup 9a", "t.vms:1: '9a' cannot name a cgroup"),
        ("show nope memory.current", "t.vms:1: unknown cgroup 'nope'"),
    ])
    func badCgroupLinesNameTheLine(line: String, message: String) {
        expectScriptError(line, message)
    }

    @Test func cyclesAndSecondPlacementsAreRefused() throws {
        for (lines, message) in [
            (["cgroup a", "cgroup b parent=a", "cgroup a parent=b"], "t.vms:3: cgroup a cannot move below b: b is inside a (a cycle)"),
            (["cgroup a", "cgroup b", "process A cgroup=a cgroup=b"], "t.vms:3: 'cgroup=b': process A is placed in a cgroup once"),
            (["cgroup a", "show a memory.bogus"], "t.vms:2: a cgroup has no file 'memory.bogus'"),
            (["machine lru=mglru", "cgroup a"], "t.vms:2: cgroup a: EINVAL: memory cgroups need the two-list LRU"),
        ] {
            expectScriptError(lines.joined(separator: "\n"), message)
        }
    }

    @Test func theJSONHasACgroupsArray() throws {
        let (_, r) = try run(["machine memory=16M", "cgroup a max=4M", "process A cgroup=a", "A mmap m 64K rw private anon", "A touch m 0 64K write"])
        let json = RunRenderer().json(r).serialized()
        #expect(json.contains("\"cgroups\":[{\"name\":\"a\",\"path\":\"/a\",\"current\":"))
        #expect(json.contains("\"max\":4194304,\"high\":\"max\""))
        #expect(json.contains("\"events\":{\"low\":0,\"high\":0,\"max\":0,\"oom\":0,\"oom_kill\":0,\"oom_group_kill\":0}"))
        #expect(json.contains("\"throttleMs\":0"))
    }
}
