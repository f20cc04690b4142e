import Testing
import VMDriver
import VMSim
import VMTrace

/// Many CPUs and threads, and TLB shootdowns counted as arch/x86/mm/tlb.c counts them
/// (`flush_tlb_mm_range` → `native_flush_tlb_multi` → `flush_tlb_func`, with
/// tlb_single_page_flush_ceiling 33).
@Suite("Kernel: many cores")
struct ManyCoreTests {
    /// A 4-thread process on 4 CPUs, every thread having touched its memory (so every CPU is in
    /// its mm_cpumask), with a 1M mapping (one PTE table stays in use, so no tables are freed).
    func fourThreads() throws -> (Machine, [Int], UInt64) {
        var c = MachineConfig()
        c.cpus = 4
        c.checkInvariants = true
        var m = try Machine(c)
        let a = try m.createProcess(name: "A")
        let threads = [a] + (0..<3).map { _ in try! m.createThread(a) }
        let heap = try m.mmap(a, length: 1 << 20, protection: [.read, .write])
        try m.touch(a, heap, length: 1 << 20, .store)
        for t in threads { try m.access(t, heap, .load) }
        return (m, threads, heap)
    }

    func tlb(_ m: Machine) -> [Int] {
        [m.vmstat.nrTLBRemoteFlush, m.vmstat.nrTLBRemoteFlushReceived, m.vmstat.nrTLBLocalFlushOne, m.vmstat.nrTLBLocalFlushAll]
    }

    @Test func threadsRunOnTheirOwnCPUsAndShareTheAddressSpace() throws {
        let (m, threads, _) = try fourThreads()
        #expect(threads.map { m.task($0).cpu } == [0, 1, 2, 3])
        #expect(threads.map { m.task($0).name } == ["A", "A.2", "A.3", "A.4"])
        #expect(Set(threads.map { m.task($0).mm }).count == 1)
        #expect(m.mm(of: threads[0])!.cpumask == 0b1111)
        #expect(m.mm(of: threads[0])!.users == 4)
    }

    /// 33 pages: one remote flush sent, received by the 3 other CPUs, 33 single-page flushes on
    /// the sender. 34 pages: the same IPIs, and a full flush on the sender instead.
    @Test func thirtyThreePagesAreSinglePageFlushesAndThirtyFourAFullFlush() throws {
        var (m, threads, heap) = try fourThreads()
        try m.munmap(threads[0], heap, length: 33 << 12)
        #expect(tlb(m) == [1, 3, 33, 0])
        try m.munmap(threads[0], heap + (33 << 12), length: 34 << 12)
        #expect(tlb(m) == [2, 6, 33, 1])
        #expect(m.mismatches == 0)
    }

    /// A process that ran on one CPU only: no IPI, only the local flush.
    @Test func aProcessOnOneCPUSendsNoShootdown() throws {
        var c = MachineConfig()
        c.cpus = 4
        var m = try Machine(c)
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 1 << 20, protection: [.read, .write])
        try m.touch(a, heap, length: 1 << 20, .store)
        try m.munmap(a, heap, length: 33 << 12)
        #expect(tlb(m) == [0, 0, 33, 0])
    }

    /// The remote flush really invalidates: thread 2 has the page in its CPU's TLB; after thread 1
    /// unmaps it, thread 2's access faults (SEGV_MAPERR) instead of hitting a stale entry.
    @Test func aShotDownEntryIsNotUsedAgain() throws {
        var (m, threads, heap) = try fourThreads()
        try m.munmap(threads[0], heap, length: 4096)
        #expect(try m.access(threads[1], heap, .load) == .killed(.segvMapErr))
        // A fatal signal ends every thread of the process.
        #expect(threads.allSatisfy { m.task($0).state == .killed })
    }

    /// A thread exits: its CPU keeps the address space loaded in lazy TLB mode and is skipped by
    /// shootdowns; when page tables are freed, it is sent the flush and drops the address space.
    @Test func lazyCPUsAreSkippedUnlessPageTablesAreFreed() throws {
        var (m, threads, heap) = try fourThreads()
        try m.exitThread(threads[3])
        #expect(m.cpus[3].isLazy)
        try m.munmap(threads[0], heap, length: 33 << 12)
        #expect(tlb(m) == [1, 2, 33, 0])
        // Unmapping the rest empties the PTE table: the lazy CPU is reached too, and leaves.
        try m.munmap(threads[0], heap + (33 << 12), length: (1 << 20) - (33 << 12))
        #expect(tlb(m) == [2, 5, 33, 1])
        #expect(m.mm(of: threads[0])!.cpumask == 0b0111)
        #expect(m.mm(of: threads[0])!.users == 3)
    }

    /// Each CPU has its own per-CPU page lists: pages a thread frees on CPU 2 go to CPU 2's list.
    @Test func eachCPUHasItsOwnPerCPUPageLists() throws {
        var (m, threads, heap) = try fourThreads()
        let before = m.memory.phys.pcpState(zoneSlot: 0).map(\.count)
        try m.madvise(threads[2], heap, length: 16 << 12, .dontneed)
        let after = m.memory.phys.pcpState(zoneSlot: 0).map(\.count)
        #expect(after[2] == before[2] + 16)
        #expect(after[0] == before[0] && after[1] == before[1] && after[3] == before[3])
        #expect(ProcFiles.zoneinfo(m.memory.phys).contains("    cpu: 3"))
    }
}

@Suite("vmsim run: threads")
struct ThreadScriptTests {
    @Test func threadsAreNamedAndActAsThemselves() throws {
        var runner = WorkloadRunner(file: "t.vms", checkInvariants: true)
        for line in ["machine cpus=2", "process A threads=2", "A mmap m 1M rw private anon", "A touch m 0 1M write",
                     "A.2 read m 0", "A munmap m 0 4K", "A.2 exit", "show vmstat"] {
            try runner.run(line)
        }
        let r = try runner.finish()
        #expect(r.processes.count == 1 && r.processes[0].threads == 2)
        #expect(r.vmstat.first { $0.0 == "nr_tlb_remote_flush" }?.1 == 1)
        #expect(r.vmstat.first { $0.0 == "nr_tlb_remote_flush_received" }?.1 == 1)
    }

    @Test(arguments: [
        ("machine cpus=65", "t.vms:1: cpus=65: give 1 to 64"),
        ("process A threads=0", "t.vms:1: 'threads=0': give threads=N with N from 1 to 256"),
        ("process A.1", "t.vms:1: 'A.1' cannot name a process"),
    ])
    func badThreadLinesNameTheLine(line: String, message: String) {
        expectScriptError(line, message)
    }
}
