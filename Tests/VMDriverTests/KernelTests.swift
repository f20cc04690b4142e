import Testing
import VMDriver
import VMSim

/// The whole-system kernel against numbers counted by hand from the kernel's rules
/// (mm/memory.c's fault paths, mm/oom_kill.c's badness) and against its own invariants.
@Suite("Kernel: the whole system")
struct KernelTests {
    func machine(memory: UInt64 = 64 << 20, swap: UInt64 = 0, check: Bool = true) throws -> Machine {
        var c = MachineConfig()
        c.memory = memory
        c.swap = swap
        c.checkInvariants = check
        let backing = swap > 0 ? try SwapFile(path: nil, bytes: swap) : nil
        return try Machine(c, swapBacking: backing)
    }

    @Test func zeroPageReadsAllocateNothingAndWritesTakeOneFrameEach() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 64 << 10, protection: [.read, .write])
        let before = m.memory.phys.allocatedPages
        try m.touch(a, heap, length: 64 << 10, .load)
        #expect(m.mm(of: a)!.rss == 0)
        #expect(m.task(a).minorFaults == 16)
        let tables = m.memory.pageTablePages
        #expect(m.memory.phys.allocatedPages - before == tables - 1)   // PUD, PMD, PTE tables only
        try m.touch(a, heap, length: 64 << 10, .store)                  // each a write to the zero page
        #expect(m.mm(of: a)!.anonPages == 16)
        #expect(m.task(a).minorFaults == 32)
        #expect(m.task(a).cowFaults == 0)
        #expect(m.vmstat.pgfault == 32)
        #expect(m.mismatches == 0)
    }

    @Test func forkedChildWritingNPagesTakesNCOWFaultsAndNFrames() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 40 << 12, protection: [.read, .write])
        try m.touch(a, heap, length: 40 << 12, .store)
        let b = try m.fork(a, name: "B")
        let allocated = m.memory.phys.allocatedPages
        try m.touch(b, heap, length: 25 << 12, .store)
        #expect(m.task(b).cowFaults == 25)
        #expect(m.memory.phys.allocatedPages - allocated == 25)
        try m.touch(a, heap, length: 40 << 12, .load)
        #expect(m.mismatches == 0)
        // The parent is the last mapper of those 25 pages' originals: it reuses them, no copy.
        try m.touch(a, heap, length: 25 << 12, .store)
        #expect(m.task(a).cowFaults == 0)
        #expect(m.memory.phys.allocatedPages - allocated == 25)
        // The 15 pages still shared are copied by whichever writes first.
        try m.touch(a, heap + (25 << 12), length: 15 << 12, .store)
        #expect(m.task(a).cowFaults == 15)
        try m.exit(b)
        try m.touch(a, heap, length: 40 << 12, .load)
        #expect(m.mismatches == 0)
        #expect(m.pagesVerified >= 80)
    }

    @Test func segfaultsAreMapErrOutsideVMAsAndAccErrWhereTheVMAForbids() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let b = try m.createProcess(name: "B")
        let ro = try m.mmap(a, length: 4096, protection: [.read])
        #expect(try m.access(a, ro, .load) == .done)
        #expect(try m.access(a, ro, .store) == .killed(.segvAccErr))
        #expect(m.task(a).state == .killed)
        #expect(m.task(a).faultAddress == ro)
        #expect(try m.access(b, 0x1000, .load) == .killed(.segvMapErr))
        #expect(throws: KernelError.self) { try m.access(a, ro, .load) }
        #expect(m.memory.phys.allocatedPages == 1 + m.slub.slabPages)   // only the zero page and slabs left
    }

    @Test func swapRoundTripsAWorkingSetThreeTimesRAMWithNothingLost() throws {
        var m = try machine(memory: 8 << 20, swap: 48 << 20, check: false)
        let a = try m.createProcess(name: "A")
        let size: UInt64 = 24 << 20
        let heap = try m.mmap(a, length: size, protection: [.read, .write])
        for _ in 0..<2 {
            try m.touch(a, heap, length: size, .store)
            try m.touch(a, heap, length: size, .load)
        }
        #expect(m.vmstat.pswpout > 6144)
        #expect(m.vmstat.pswpin > 6144)
        #expect(m.task(a).majorFaults > 0)
        #expect(m.mismatches == 0)
        #expect(m.pagesVerified >= 12288)
        #expect(m.checkInvariants() == [])
        #expect(m.vmstat.pgfault == m.task(a).minorFaults + m.task(a).majorFaults)
    }

    @Test func theOOMKillerTakesTheTaskWithTheHighestBadnessAndSparesMinus1000() throws {
        var m = try machine(memory: 16 << 20)
        let big = try m.createProcess(name: "big", oomScoreAdj: -1000)
        let small = try m.createProcess(name: "small")
        let heap = try m.mmap(big, length: 10 << 20, protection: [.read, .write])
        try m.touch(big, heap, length: 10 << 20, .store)
        let s = try m.mmap(small, length: 8 << 20, protection: [.read, .write])
        let r = try m.touch(small, s, length: 8 << 20, .store)
        #expect(r == .killed(.oomKill))
        #expect(m.vmstat.oomKill == 1)
        #expect(m.task(big).state == .running)
        #expect(m.checkInvariants() == [])
    }

    @Test func oomScoreIsProcsScaledBadness() throws {
        var m = try machine(memory: 64 << 20)
        let a = try m.createProcess(name: "A", oomScoreAdj: 500)
        let heap = try m.mmap(a, length: 4 << 20, protection: [.read, .write])
        try m.touch(a, heap, length: 4 << 20, .store)
        let total = 16384
        // rss 1024 + page tables below the root (PUD, PMD, 2 PTE) + 500 × (16384 / 1000).
        let badness = 1024 + 4 + 500 * (total / 1000)
        #expect(m.oomBadness(a) == badness)
        #expect(m.oomScore(a) == (1000 + badness * 1000 / total) * 2 / 3)
    }
}
