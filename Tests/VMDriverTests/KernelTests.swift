import Testing
import VMDriver
import VMSim
import VMTrace

/// A machine for the kernel's tests, with its swap in a temporary file.
func testMachine(memory: UInt64, swap: UInt64, tlb: TLBSpec = .skylake, check: Bool, lru: LRUMode) throws -> Machine {
    var c = MachineConfig()
    c.lru = lru
    c.memory = memory
    c.swap = swap
    c.tlb = tlb
    c.checkInvariants = check
    let backing = swap > 0 ? try SwapFile(path: nil, bytes: swap) : nil
    return try Machine(c, swapBacking: backing)
}

/// The whole-system kernel against numbers counted by hand from the kernel's rules
/// (mm/memory.c's fault paths, mm/oom_kill.c's badness) and against its own invariants.
@Suite("Kernel: the whole system")
struct KernelTests {
    func machine(memory: UInt64 = 64 << 20, swap: UInt64 = 0, check: Bool = true, lru: LRUMode = .twoList) throws -> Machine {
        try testMachine(memory: memory, swap: swap, check: check, lru: lru)
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

    @Test func munmapAndMprotectSplitAndMergeAsMmVmaDoes() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let base = try m.mmap(a, length: 16 << 12, protection: [.read, .write], name: "heap")
        try m.touch(a, base, length: 16 << 12, .store)
        try m.mprotect(a, base + (4 << 12), length: 4 << 12, protection: [.read])
        #expect(m.mm(of: a)!.vmas.count == 3)
        try m.mprotect(a, base + (4 << 12), length: 4 << 12, protection: [.read, .write])
        #expect(m.mm(of: a)!.vmas.count == 1)   // merged again (vma_merge_existing_range)
        try m.munmap(a, base + (8 << 12), length: 2 << 12)
        #expect(m.mm(of: a)!.vmas.count == 2)
        #expect(m.mm(of: a)!.anonPages == 14)
        let maps = m.procMaps(a)!.split(separator: "\n")
        #expect(maps.count == 2)
        #expect(maps[0].hasPrefix(String(base, radix: 16) + "-" + String(base + (8 << 12), radix: 16) + " rw-p 00000000 00:00 0"))
        #expect(maps[0].hasSuffix("[anon:heap]"))
        // An unmapped hole reads as SEGV_MAPERR; the rest kept its contents.
        try m.touch(a, base, length: 8 << 12, .load)
        #expect(m.mismatches == 0)
        #expect(try m.access(a, base + (8 << 12), .load) == .killed(.segvMapErr))
    }

    @Test func madviseDontneedDropsPagesSoTheNextReadSeesZeroes() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let base = try m.mmap(a, length: 8 << 12, protection: [.read, .write])
        try m.touch(a, base, length: 8 << 12, .store)
        try m.madvise(a, base, length: 4 << 12, .dontneed)
        #expect(m.mm(of: a)!.anonPages == 4)
        try m.touch(a, base, length: 8 << 12, .load)
        #expect(m.mismatches == 0)
        #expect(m.mm(of: a)!.anonPages == 4)   // the first four read the zero page now
    }

    @Test func brkGrowsAndShrinksTheHeap() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let start = m.mm(of: a)!.startBrk
        #expect(try m.brk(a, delta: 1 << 20) == start + (1 << 20))
        try m.touch(a, start, length: 1 << 20, .store)
        #expect(m.procMaps(a)!.contains("[heap]"))
        try m.brk(a, delta: -(512 << 10))
        #expect(m.mm(of: a)!.anonPages == 128)
        #expect(try m.access(a, start + (600 << 10), .load) == .killed(.segvMapErr))
    }

    /// Pages conserved and every count consistent after every operation of a long random run
    /// (the machine checks its invariants after each one), through fork, exit, swap and the OOM killer.
    @Test(arguments: LRUMode.allCases)
    func randomRunsKeepEveryInvariant(lru: LRUMode) throws {
        var m = try machine(memory: 4 << 20, swap: 8 << 20, lru: lru)
        var rng = SimRandom(seed: 11)
        func below(_ n: UInt64) -> UInt64 { UInt64.random(in: 0..<n, using: &rng) }
        var live: [Int] = []
        var regions: [Int: [(UInt64, UInt64)]] = [:]
        for step in 0..<1000 {
            if live.isEmpty || below(20) == 0 {
                let p = try m.createProcess(name: "p\(step)", oomScoreAdj: Int(below(3)) * 300 - 300)
                live.append(p)
                regions[p] = []
            }
            let p = live[Int(below(UInt64(live.count)))]
            switch below(10) {
            case 0, 1:
                let pages = 1 + below(256)
                if let start = try? m.mmap(p, length: pages << 12, protection: [.read, .write]) { regions[p]!.append((start, pages)) }
            case 2:
                if let child = try? m.fork(p, name: "c\(step)") {
                    live.append(child)
                    regions[child] = regions[p]
                }
            case 3:
                if below(4) == 0 { try m.exit(p) }
            case 4:
                if let r = regions[p]!.randomElement(using: &rng) {
                    let first = below(r.1), count = 1 + below(r.1 - first)
                    try m.munmap(p, r.0 + (first << 12), length: count << 12)
                }
            case 5:
                if let r = regions[p]!.randomElement(using: &rng) {
                    try? m.mprotect(p, r.0, length: r.1 << 12, protection: below(2) == 0 ? [.read] : [.read, .write])
                }
            default:
                if let r = regions[p]!.randomElement(using: &rng) {
                    let first = below(r.1), count = 1 + below(min(64, r.1 - first))
                    try m.touch(p, r.0 + (first << 12), length: count << 12, below(2) == 0 ? .load : .store)
                }
            }
            live.removeAll { m.task($0).state != .running }
        }
        #expect(m.checkInvariants() == [])
        #expect(m.mismatches == 0)
        #expect(m.vmstat.pgfault == m.tasks.reduce(0) { $0 + $1.minorFaults + $1.majorFaults } + m.failedFaults)
        #expect(m.vmstat.pswpout > 0)
    }

    /// filemap_fault's read-around (ra_pages = 32 centred on the fault) and do_fault_around's
    /// 64K window, counted by hand: reading 32 pages from the start of a file takes one major fault
    /// (pages 0-31 read), one minor fault at page 1 (maps 1-15) and one at page 16 (maps 16-31).
    @Test func aPageCacheMissReadsTheReadAroundWindowAndFaultAroundMapsItsNeighbours() throws {
        var m = try machine()
        let file = m.createFile(name: "data", size: 1 << 20)
        let a = try m.createProcess(name: "A")
        let d = try m.mmap(a, file: file, length: 1 << 20, protection: [.read], shared: false)
        try m.touch(a, d, length: 32 << 12, .load)
        #expect(m.task(a).majorFaults == 1)
        #expect(m.task(a).minorFaults == 2)
        #expect(m.files[file].cachedPages == 32)
        #expect(m.mm(of: a)!.filePages == 32)
        #expect(m.mm(of: a)!.anonPages == 0)
        #expect(m.mismatches == 0)
    }

    @Test func processesMappingOneFileShareItsCachedPages() throws {
        var m = try machine()
        let file = m.createFile(name: "lib", size: 256 << 10)
        let a = try m.createProcess(name: "A"), b = try m.createProcess(name: "B")
        let da = try m.mmap(a, file: file, length: 256 << 10, protection: [.read, .exec], shared: false)
        try m.touch(a, da, length: 256 << 10, .load)
        let frames = m.memory.phys.allocatedPages
        let db = try m.mmap(b, file: file, length: 256 << 10, protection: [.read, .exec], shared: false)
        try m.touch(b, db, length: 256 << 10, .load)
        #expect(m.task(b).majorFaults == 0)
        #expect(m.memory.phys.allocatedPages - frames == m.mm(of: b)!.table.tablePagesBelowRoot)   // only B's page tables
        #expect(m.memSizeStats(b)!.pss == ((256 << 10) << 12) / 2)   // every page shared by two
    }

    @Test func privateWritesCopyAndSharedWritesReachTheFileThroughReclaim() throws {
        var m = try machine(memory: 8 << 20, swap: 0)
        let file = m.createFile(name: "db", size: 16 << 20)
        let w = try m.createProcess(name: "writer"), r = try m.createProcess(name: "reader")
        let shared = try m.mmap(w, file: file, length: 16 << 20, protection: [.read, .write], shared: true)
        let privateMap = try m.mmap(r, file: file, length: 16 << 20, protection: [.read, .write], shared: false)
        try m.write(r, privateMap)                          // a private copy: the file is untouched
        #expect(m.task(r).cowFaults == 1)
        #expect(m.mm(of: r)!.anonPages == 1)
        try m.touch(w, shared, length: 16 << 20, .store)    // twice RAM: reclaim writes dirty pages back
        #expect(m.vmstat.nrVmscanWrite > 0)
        #expect(m.vmstat.pgstealFile > 0)
        try m.touch(r, privateMap, length: 16 << 20, .load) // sees the writer's data, its own first page
        try m.touch(w, shared, length: 16 << 20, .load)
        #expect(m.mismatches == 0)
        #expect(m.pagesVerified > 8192)
        #expect(m.checkInvariants() == [])
    }

    func machine(thp: THPMode, memory: UInt64 = 64 << 20) throws -> Machine {
        var c = MachineConfig()
        c.memory = memory
        c.thp = thp
        c.checkInvariants = true
        return try Machine(c)
    }

    /// do_huge_pmd_anonymous_page: an 8M anonymous mapping sits on a 2M boundary, so four write
    /// faults map it with four PMD entries and no PTE table (VmPTE: the PUD and PMD pages only).
    @Test(arguments: [(THPMode.madvise, true, 4), (.madvise, false, 0), (.always, false, 4), (.never, true, 0)])
    func hugePagesFaultWhereTheModeAllows(mode: THPMode, advise: Bool, huge: Int) throws {
        var m = try machine(thp: mode)
        let a = try m.createProcess(name: "A")
        let big = try m.mmap(a, length: 8 << 20, protection: [.read, .write])
        #expect(big % (2 << 20) == 0)
        if advise { try m.madvise(a, big, length: 8 << 20, .hugepage) }
        try m.touch(a, big, length: 8 << 20, .store)
        #expect(m.vmstat.thpFaultAlloc == huge)
        #expect(m.task(a).minorFaults == (huge > 0 ? huge : 2048))
        #expect(m.anonHugePages == huge)
        #expect(m.mm(of: a)!.anonPages == 2048)
        #expect(m.meminfoLines.first { $0.0 == "AnonHugePages" }?.1 == huge * 2048)
        if huge > 0 { #expect(m.mm(of: a)!.table.tablePagesBelowRoot == 2) }
        try m.touch(a, big, length: 8 << 20, .load)
        #expect(m.mismatches == 0)
    }

    @Test func aHugeFaultWithoutAnOrder9BlockFallsBackTo4K() throws {
        var m = try machine(thp: .always, memory: 8 << 20)
        let a = try m.createProcess(name: "A")
        let filler = try m.mmap(a, length: 6 << 20, protection: [.read, .write])
        try m.madvise(a, filler, length: 6 << 20, .nohugepage)
        try m.touch(a, filler, length: 6 << 20, .store)
        let big = try m.mmap(a, length: 2 << 20, protection: [.read, .write])
        try m.access(a, big, .store)
        #expect(m.vmstat.thpFaultAlloc == 0)
        #expect(m.vmstat.thpFaultFallback == 1)
        #expect(m.mm(of: a)!.anonPages == 1536 + 1)
    }

    @Test func unmappingPartOfAHugePageSplitsItsPMDAndThePage() throws {
        var m = try machine(thp: .always)
        let a = try m.createProcess(name: "A")
        let big = try m.mmap(a, length: 4 << 20, protection: [.read, .write])
        try m.touch(a, big, length: 4 << 20, .store)
        try m.munmap(a, big + (1 << 20), length: 4096)
        #expect(m.vmstat.thpSplitPMD == 1)
        #expect(m.vmstat.thpSplitPage == 1)
        #expect(m.anonHugePages == 1)
        #expect(m.mm(of: a)!.anonPages == 1024 - 1)
        try m.mprotect(a, big + (2 << 20), length: 2 << 20, protection: [.read])   // a whole huge page: no split
        #expect(m.vmstat.thpSplitPMD == 1)
        try m.touch(a, big, length: 1 << 20, .load)
        try m.touch(a, big + (2 << 20), length: 2 << 20, .load)
        #expect(m.mismatches == 0)
    }

    @Test func aForkedHugePageIsSplitByTheFirstCopyOnWrite() throws {
        var m = try machine(thp: .always)
        let a = try m.createProcess(name: "A")
        let big = try m.mmap(a, length: 2 << 20, protection: [.read, .write])
        try m.touch(a, big, length: 2 << 20, .store)
        let b = try m.fork(a, name: "B")
        #expect(m.memSizeStats(b)!.anonHugePages == 2 << 20)
        try m.access(b, big, .store)
        #expect(m.vmstat.thpSplitPMD == 2)   // both mappings
        #expect(m.task(b).cowFaults == 1)
        try m.touch(a, big, length: 2 << 20, .load)
        try m.touch(b, big, length: 2 << 20, .load)
        #expect(m.mismatches == 0)
    }

    /// workingset_refault: every page read back into the cache after eviction had left a shadow
    /// entry, so a second pass over a file twice the size of RAM counts each page it reads as a refault.
    @Test func evictedFilePagesRefaultThroughTheirShadowEntries() throws {
        var m = try machine(memory: 4 << 20, swap: 0)
        let file = m.createFile(name: "log", size: 8 << 20)
        let a = try m.createProcess(name: "A")
        let d = try m.mmap(a, file: file, length: 8 << 20, protection: [.read], shared: false)
        try m.touch(a, d, length: 8 << 20, .load)
        #expect(m.vmstat.workingsetRefaultFile == 0)
        let readBefore = m.vmstat.pgpgin
        try m.touch(a, d, length: 8 << 20, .load)
        #expect(m.vmstat.workingsetRefaultFile == (m.vmstat.pgpgin - readBefore) / 4)
        #expect(m.vmstat.workingsetRefaultFile > 0)
        #expect(m.mismatches == 0)
    }

    @Test func mremapGrowsInPlaceOrMovesTheEntriesWithTheirContents() throws {
        var m = try machine(memory: 8 << 20, swap: 16 << 20)
        let a = try m.createProcess(name: "A")
        let first = try m.mmap(a, length: 64 << 12, protection: [.read, .write])
        try m.touch(a, first, length: 64 << 12, .store)
        // Room below it (top-down placement puts the next mapping there), none above: it moves.
        let blocker = try m.mmap(a, at: first + (64 << 12), length: 4096, protection: [.read])
        let moved = try m.mremap(a, first, oldLength: 64 << 12, newLength: 128 << 12)
        #expect(moved != first)
        #expect(m.mm(of: a)!.anonPages == 64)
        #expect(m.mm(of: a)!.vmas.lookup(first) == nil)   // the old range is unmapped
        try m.touch(a, moved, length: 64 << 12, .load)
        #expect(m.mismatches == 0)
        #expect(m.task(a).minorFaults == 64)   // the moved entries need no fault
        // Shrinking unmaps the tail; growing again where the pages after it are free stays in place.
        #expect(try m.mremap(a, moved, oldLength: 128 << 12, newLength: 32 << 12) == moved)
        #expect(m.mm(of: a)!.anonPages == 32)
        #expect(try m.mremap(a, moved, oldLength: 32 << 12, newLength: 96 << 12) == moved)
        _ = blocker
    }

    @Test func madviseFreeDiscardsCleanPagesUnderPressureAndKeepsRewrittenOnes() throws {
        var m = try machine(memory: 8 << 20, swap: 16 << 20)
        let a = try m.createProcess(name: "A")
        let cache = try m.mmap(a, length: 4 << 20, protection: [.read, .write])
        try m.touch(a, cache, length: 4 << 20, .store)
        try m.madvise(a, cache, length: 4 << 20, .free)
        #expect(m.vmstat.pglazyfree == 1024)
        try m.access(a, cache, .store)                 // written again: must survive
        let other = try m.mmap(a, length: 8 << 20, protection: [.read, .write])
        try m.touch(a, other, length: 8 << 20, .store) // pressure
        #expect(m.vmstat.pglazyfreed > 0)
        try m.touch(a, cache, length: 4 << 20, .load)  // discarded pages read zeroes; the rewritten one its data
        #expect(m.mismatches == 0)
        #expect(m.checkInvariants() == [])
    }
}

extension Machine {
    mutating func write(_ pid: Int, _ address: UInt64) throws(KernelError) { try access(pid, address, .store) }
}

extension KernelTests {
    /// Shared anonymous memory (shmem): a forked child sees the parent's writes and the parent the
    /// child's; under pressure its pages go to swap and come back intact; it is freed with its last
    /// mapping.
    @Test func sharedAnonymousMemoryIsSharedAcrossForkAndSwapsWithItsObject() throws {
        var m = try machine(memory: 8 << 20, swap: 32 << 20)
        let a = try m.createProcess(name: "A")
        let shared = try m.mmap(a, length: 4 << 20, protection: [.read, .write], shared: true)
        try m.touch(a, shared, length: 4 << 20, .store)
        #expect(m.mm(of: a)!.shmemPages == 1024)
        #expect(m.shmemPages == 1024)
        let b = try m.fork(a, name: "B")
        try m.touch(b, shared, length: 1 << 20, .store)     // no copy: the same pages
        #expect(m.task(b).cowFaults == 0)
        #expect(m.shmemPages == 1024)
        try m.touch(a, shared, length: 4 << 20, .load)      // sees B's writes
        let other = try m.mmap(a, length: 12 << 20, protection: [.read, .write])
        try m.touch(a, other, length: 12 << 20, .store)     // pressure: shmem pages to swap
        #expect(m.vmstat.pswpout > 0)
        try m.touch(b, shared, length: 4 << 20, .load)
        #expect(m.mismatches == 0)
        #expect(m.procMaps(a)!.contains("/dev/zero (deleted)"))
        try m.exit(b)
        try m.munmap(a, shared, length: 4 << 20)
        #expect(m.shmemPages == 0)
        #expect(m.checkInvariants() == [])
    }
}

/// Random workloads, well-formed and not: every one either runs to a report or stops with a
/// `FILE:LINE:` error; none traps, and every run keeps the kernel's invariants (checked after
/// every operation).
@Suite("vmsim run: random workloads")
struct RandomWorkloadTests {
    static let words = ["machine", "process", "file", "show", "A", "B", "C", "mmap", "touch", "read", "write", "exec",
                        "access", "mprotect", "madvise", "mremap", "msync", "munmap", "brk", "fork", "exit",
                        "heap", "f", "data", "0", "4K", "1M", "3M", "-1", "0x1000", "rw", "r", "rwx", "none", "private",
                        "shared", "anon", "file=data", "dontneed", "free", "hugepage", "+64K", "-4K", "vmstat", "maps",
                        "status", "smaps_rollup", "memory=4M", "swap=4M", "thp=always", "at=0x7f0000000000", "step=8K"]

    @Test func randomScriptsNeverTrap() throws {
        var rng = SimRandom(seed: 5)
        func pick(_ n: Int) -> Int { Int(UInt64.random(in: 0..<UInt64(n), using: &rng)) }
        for script in 0..<60 {
            var lines = ["machine memory=4M swap=4M thp=always lru=\(script % 2 == 0 ? "2list" : "mglru")", "file data 2M", "process A", "A mmap heap 3M rw private anon",
                         "A mmap f 1M rw shared file=data"]
            for _ in 0..<(5 + pick(25)) {
                if pick(3) == 0 {
                    lines.append((0..<(1 + pick(6))).map { _ in Self.words[pick(Self.words.count)] }.joined(separator: " "))
                } else {
                    let verbs = ["touch heap 0 3M write", "touch heap 1M 1M read", "fork B", "B touch heap 0 2M write", "B exit",
                                 "madvise heap 0 2M free", "madvise heap 1M 4K dontneed", "mremap heap 4M", "mprotect heap 0 1M r",
                                 "munmap heap 2M 4K", "touch f 0 1M write", "msync f 0 1M", "brk +1M", "show A smaps_rollup"]
                    let v = verbs[pick(verbs.count)]
                    lines.append(v.hasPrefix("B ") ? v : "A " + v)
                }
            }
            // Line by line, so that the lines after a mistake still run on the same machine.
            var runner = WorkloadRunner(file: "random-\(script).vms", checkInvariants: true)
            for line in lines {
                do throws(TraceError) {
                    try runner.run(line)
                } catch {
                    #expect(error.description.hasPrefix("random-\(script).vms:1: "), "\(error)")
                }
            }
            let report = try runner.finish()
            #expect(report.mismatches == 0, "random-\(script)")
        }
    }
}
