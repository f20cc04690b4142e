import Testing
import VMDriver
import VMSim
import VMTrace

/// The kernel's multi-generational LRU (`machine lru=mglru`) against counts made by hand from
/// mm/vmscan.c's rules (lru_gen_add_folio's distances, folio_update_gen's two sightings,
/// inc_max_seq and inc_min_seq) and against its design claims (a scan does not push out a hot
/// set; refaults are detected through min_seq tokens).
@Suite("Kernel: multi-gen LRU")
struct MGLRUKernelTests {
    /// With `tlb: .none` every access walks the page table, so a page touched again after the
    /// aging cleared its accessed bit is young again (with TLBs, as on x86, a cached translation
    /// sets no accessed bit until it is flushed).
    func machine(memory: UInt64 = 64 << 20, swap: UInt64 = 0, tlb: TLBSpec = .none, check: Bool = true) throws -> Machine {
        try testMachine(memory: memory, swap: swap, tlb: tlb, check: check, lru: .mglru)
    }

    /// Eight pages written, aged, the first four read again, aged again; returns
    /// the pages' generations.
    func touchAgeTouchAge(_ m: inout Machine) throws -> [UInt64?] {
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 8 << 12, protection: [.read, .write])
        try m.touch(a, heap, length: 8 << 12, .store)
        m.lruGenRunAging()
        try m.touch(a, heap, length: 4 << 12, .load)
        m.lruGenRunAging()
        return (0..<8).map { m.lru.seq(of: pfn(m, a, heap + UInt64($0) << 12)) }
    }

    func pfn(_ m: Machine, _ pid: Int, _ address: UInt64) -> Int32 {
        let e = m.mm(of: pid)!.table.leaf(at: address)!.entry
        return Int32(m.config.format.bits.physicalAddress(e) >> 12)
    }

    /// lru_gen_init_lruvec starts at max_seq 3, min_seq 0 (four generations). A page faulted in is
    /// active, not in the workingset: distance 2, so generation max_seq - 1 = 2, which counts as
    /// active (lru_gen_is_active: the two youngest).
    @Test func faultedPagesJoinTheSecondYoungestGenerationAsActivePages() throws {
        var m = try machine()
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 10 << 12, protection: [.read, .write])
        try m.touch(a, heap, length: 10 << 12, .store)
        #expect(m.lru.maxSeq == 3 && m.lru.minSeq(.anon) == 0)
        for i in 0..<10 { #expect(m.lru.generation(of: pfn(m, a, heap + UInt64(i) << 12))! == (2, .anon)) }
        #expect(m.lruPages(.activeAnon) == 10 && m.lruPages(.inactiveAnon) == 0)
        #expect(m.procMeminfo.contains("Active(anon):         40 kB"))
        #expect(m.procVmstat.contains("nr_active_anon 10\n"))
        #expect(m.lruGenText == """
            memcg     0 /
             node     0
                      0          0          0
                      1          0          0
                      2         10          0  active
                      3          0          0  active

            """)
    }

    /// The aging by hand (with swap: without it anonymous VMAs are not walked, `should_skip_vma`
    /// with swappiness 0). Aging 1: the walk finds all 8 pages young (set by their faults),
    /// clears the bits and only marks them PG_referenced (first sighting); inc_max_seq retires
    /// the empty generation 0 of both types (four generations each) and opens 4: window 1...4,
    /// the pages still in 2, now inactive. Pages 0-3 are touched again. Aging 2: those four are
    /// young and referenced, so they go to the youngest generation (4) with PG_workingset; the
    /// empty generation 1 is retired and 5 opened: window 2...5, pages 0-3 in 4 (active), 4-7 in 2
    /// (inactive, the oldest).
    @Test func agingPromotesAPageOnItsSecondYoungSighting() throws {
        var m = try machine(swap: 1 << 20)
        let a = try m.createProcess(name: "A")
        let heap = try m.mmap(a, length: 8 << 12, protection: [.read, .write])
        try m.touch(a, heap, length: 8 << 12, .store)
        m.lruGenRunAging()
        #expect(m.lru.maxSeq == 4 && m.lru.minSeq(.anon) == 1 && m.lru.minSeq(.file) == 1)
        for i in 0..<8 { #expect(m.lru.seq(of: pfn(m, a, heap + UInt64(i) << 12)) == 2) }
        #expect(m.lruPages(.activeAnon) == 0 && m.lruPages(.inactiveAnon) == 8)
        try m.touch(a, heap, length: 4 << 12, .load)
        m.lruGenRunAging()
        #expect(m.lru.maxSeq == 5 && m.lru.minSeq(.anon) == 2)
        for i in 0..<8 { #expect(m.lru.seq(of: pfn(m, a, heap + UInt64(i) << 12)) == (i < 4 ? 4 : 2), "page \(i)") }
        #expect(m.lruPages(.activeAnon) == 4 && m.lruPages(.inactiveAnon) == 4)
        // With TLBs the second touch hits the cached translations: no accessed bit, no promotion.
        var t = try machine(swap: 1 << 20, tlb: .skylake)
        #expect(try touchAgeTouchAge(&t) == Array(repeating: 2, count: 8))
        // Without swap the anonymous mapping is not walked at all: no page is even referenced.
        var n = try machine()
        #expect(try touchAgeTouchAge(&n) == Array(repeating: 2, count: 8))
    }

    /// A file page evicted leaves min_seq as its shadow; read back while max_seq is within
    /// MAX_NR_GENS of it, the refault is recent (lru_gen_test_recent): counted as a refault and,
    /// being a fault, an activation.
    @Test func evictedPagesRefaultAsRecentThroughTheirMinSeqTokens() throws {
        var m = try machine(memory: 4 << 20)
        let a = try m.createProcess(name: "A")
        let f = m.createFile(name: "big", size: 6 << 20)
        let map = try m.mmap(a, file: f, length: 6 << 20, protection: [.read], shared: false)
        try m.touch(a, map, length: 6 << 20, .load)       // more than RAM: the first pages are evicted
        #expect(m.vmstat.pgstealFile > 0)
        let refaultsBefore = m.vmstat.workingsetRefaultFile
        try m.touch(a, map, length: 64 << 10, .load)
        #expect(m.vmstat.workingsetRefaultFile > refaultsBefore)
        #expect(m.vmstat.workingsetActivateFile <= m.vmstat.workingsetRefaultFile)
        #expect(m.mismatches == 0)
        #expect(m.checkInvariants() == [])
    }

    /// Eviction takes the oldest generation first. 400 pages left untouched since the first aging
    /// sit in the oldest generation, 64 pages touched again are promoted to the youngest; then
    /// 700 new pages (distance 2, generation max_seq - 1) push the machine below its low
    /// watermark and kswapd reclaims. Every page swapped out is one of the 400: the hot pages and
    /// the new ones all stay resident, and nothing is lost.
    @Test func evictionTakesTheOldestGenerationFirst() throws {
        var m = try machine(memory: 4 << 20, swap: 8 << 20)
        let a = try m.createProcess(name: "A")
        let hot = try m.mmap(a, length: 64 << 12, protection: [.read, .write])
        let old = try m.mmap(a, length: 400 << 12, protection: [.read, .write])
        try m.touch(a, hot, length: 64 << 12, .store)
        try m.touch(a, old, length: 400 << 12, .store)
        m.lruGenRunAging()
        try m.touch(a, hot, length: 64 << 12, .load)
        m.lruGenRunAging()
        #expect(m.lru.seq(of: pfn(m, a, old)) == m.lru.minSeq(.anon))
        #expect(m.lru.seq(of: pfn(m, a, hot)) == m.lru.maxSeq - 1)
        let fresh = try m.mmap(a, length: 700 << 12, protection: [.read, .write])
        try m.touch(a, fresh, length: 700 << 12, .store)
        #expect(m.vmstat.pswpout > 0)
        let present = config(m).bits.present
        func resident(_ base: UInt64, _ pages: Int) -> Int {
            (0..<pages).filter { (m.mm(of: a)!.table.leaf(at: base + UInt64($0) << 12)?.entry ?? 0) & present != 0 }.count
        }
        #expect(resident(hot, 64) == 64)
        #expect(resident(fresh, 700) == 700)
        #expect(400 - resident(old, 400) == m.vmstat.pswpout)
        #expect(m.vmstat.pgscanKswapd + m.vmstat.pgscanDirect == m.vmstat.pgscanAnon)
        try m.touch(a, old, length: 400 << 12, .load)     // read back from swap, intact
        #expect(m.mismatches == 0)
    }

    func config(_ m: Machine) -> PageTableFormat { m.config.format }
}
