import Testing
@testable import VMSim

/// An independent set-associative LRU model: each set is a list, most recently used first.
struct ReferenceLRU {
    let sets: Int, ways: Int
    var lists: [[UInt64]]
    init(entries: Int, ways: Int) {
        self.ways = ways
        sets = entries / ways
        lists = Array(repeating: [], count: entries / ways)
    }
    /// Returns true on a hit; on a miss inserts, evicting the least recently used.
    mutating func access(_ page: UInt64) -> Bool {
        let s = Int(page % UInt64(sets))
        if let i = lists[s].firstIndex(of: page) {
            lists[s].remove(at: i)
            lists[s].insert(page, at: 0)
            return true
        }
        lists[s].insert(page, at: 0)
        if lists[s].count > ways { lists[s].removeLast() }
        return false
    }
}

/// A page stream with locality: mostly a small working set, sometimes a jump.
func localPageStream(count: Int, seed: UInt64) -> [UInt64] {
    var rng = SimRandom(seed: seed)
    var out: [UInt64] = []
    var base: UInt64 = 0x400
    for _ in 0..<count {
        if rng.below(100) < 3 { base = rng.below(1 << 20) }
        out.append(base + rng.below(rng.below(2) == 0 ? 16 : 400))
    }
    return out
}

func mmuWithPages(_ pages: [UInt64], tlb: TLBSpec, walkCache: WalkCacheSpec = .default, format: PageTableFormat = .x86_64,
                  tagged: Bool = true) throws -> MMU<RadixPageTable> {
    var mmu = try MMU<RadixPageTable>(format: format, tlb: tlb, walkCache: walkCache, memory: FrameAllocator(bytes: 1 << 36), taggedAddressSpaces: tagged)
    var frame: UInt64 = 0x10_0000
    for p in Set(pages).sorted() {
        try mmu.map(VirtualAddress(p << 12), to: PhysicalAddress(frame << 12), size: .base4K, flags: .userData)
        frame += 1
    }
    return mmu
}

@Suite("TLB hierarchy")
struct TLBTests {
    @Test(arguments: [(64, 4), (64, 64), (1536, 12), (32, 1)])
    func missesEqualAnIndependentLRUModel(entries: Int, ways: Int) throws {
        let pages = localPageStream(count: 12_000, seed: UInt64(entries * 131 + ways))
        var mmu = try mmuWithPages(pages, tlb: TLBSpec(parsing: "l1d=4K:\(entries)x\(ways)"))
        var model = ReferenceLRU(entries: entries, ways: ways)
        var modelMisses = 0
        for p in pages {
            if !model.access(p) { modelMisses += 1 }
            let r = mmu.translate(p << 12 | 0x10, AccessIntent(.load))
            #expect(r.succeeded)
        }
        let l1 = mmu.tlb.stats[0]
        #expect(l1.misses == UInt64(modelMisses))
        #expect(mmu.stats.walks == UInt64(modelMisses))
    }

    @Test func twoLevelsEqualTwoChainedModels() throws {
        let pages = localPageStream(count: 12_000, seed: 9)
        var mmu = try mmuWithPages(pages, tlb: TLBSpec(parsing: "l1d=4K:64x4,l2=4K:1536x12"))
        var l1 = ReferenceLRU(entries: 64, ways: 4), l2 = ReferenceLRU(entries: 1536, ways: 12)
        var l1Misses = 0, l2Misses = 0
        for p in pages {
            // A miss in L1 looks in L2 (LRU there); L2 fills on its own miss; L1 fills either way.
            if !l1.access(p) {
                l1Misses += 1
                if !l2.access(p) { l2Misses += 1 }
            }
            _ = mmu.translate(p << 12, AccessIntent(.load))
        }
        let stats = mmu.tlb.stats
        #expect(stats[0].misses == UInt64(l1Misses))
        #expect(stats[1].lookups == UInt64(l1Misses))
        #expect(stats[1].misses == UInt64(l2Misses))
        #expect(mmu.stats.walks == UInt64(l2Misses))
    }

    @Test func instructionsAndDataUseSplitL1s() throws {
        var mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 1 << 32))
        try mmu.map(VirtualAddress(0x40_0000), to: PhysicalAddress(0x10_0000), size: .base4K, flags: [.read, .execute, .user])
        _ = mmu.translate(0x40_0010, AccessIntent(.instruction))   // iTLB miss, STLB miss, walk
        _ = mmu.translate(0x40_0020, AccessIntent(.load))          // dTLB miss, STLB hit
        _ = mmu.translate(0x40_0030, AccessIntent(.load))          // dTLB hit
        let s = Dictionary(uniqueKeysWithValues: mmu.tlb.stats.map { ($0.name, $0) })
        #expect(s["l1i"]!.lookups == 1 && s["l1i"]!.hits == 0)
        #expect(s["l1d"]!.lookups == 2 && s["l1d"]!.hits == 1)
        #expect(s["l2"]!.lookups == 2 && s["l2"]!.hits == 1)
        #expect(mmu.stats.walks == 1)
    }

    // A sequential sweep of 8 MiB, one access per 512 bytes: with 4 KiB pages every page is
    // new, so the L1 dTLB misses twice per page (the faulting access, then its retry after the
    // page was mapped), 2 x 8 MiB / 4 KiB = 4,096 times; with 2 MiB pages twice per huge page,
    // 2 x 8 MiB / 2 MiB = 8 times: 512 times fewer (the ratio of the page sizes). The other
    // 7 accesses to each 4 KiB page (511 x 8 + 7 to each 2 MiB page) hit.
    @Test func hugePagesCutSweepMissesByThePageSizeRatio() throws {
        let bytes: UInt64 = 8 << 20
        func sweep(_ size: PageSize) throws -> (l1: UInt64, walks: UInt64, faults: UInt64) {
            let mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 1 << 30))
            var sim = try TraceTranslation(mmu: mmu, mapSize: size)
            var a: UInt64 = 0x4000_0000
            while a < 0x4000_0000 + bytes {
                sim.access(AddressAccess(address: a, size: 8, kind: .load))
                a += 512
            }
            return (sim.mmu.tlb.stats.first { $0.name == "l1d" }!.misses, sim.mmu.stats.walks - sim.counts.pageFaults, sim.counts.pageFaults)
        }
        let small = try sweep(.base4K), huge = try sweep(.huge2M)
        #expect(small.l1 == 4_096 && huge.l1 == 8)
        #expect(small.l1 / huge.l1 == 512)
        #expect(small.faults == 2_048 && huge.faults == 4)
    }

    @Test func translationPreservesThePageOffset() throws {
        var rng = SimRandom(seed: 5)
        for size in [PageSize.base4K, .huge2M, .huge1G] {
            let mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 1 << 36))
            var sim = try TraceTranslation(mmu: mmu, mapSize: size)
            let out = UnsafeMutablePointer<AddressAccess>.allocate(capacity: 4)
            defer { out.deallocate() }
            // At most 32 distinct pages of each size, so that 64 GiB of memory holds them.
            let span = min(UInt64(1) << 40, size.bytes * 32)
            for _ in 0..<2_000 {
                let va = 0x7f00_0000_0000 + rng.below(span)
                let n = sim.access(AddressAccess(address: va, size: 1, kind: .load), into: out)
                #expect(n == 1)
                #expect(out[0].address & (size.bytes - 1) == va & (size.bytes - 1))
            }
        }
    }

    @Test func pageStraddlingAccessesTranslateTwice() throws {
        let mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 1 << 30))
        var sim = try TraceTranslation(mmu: mmu, mapSize: .base4K)
        let out = UnsafeMutablePointer<AddressAccess>.allocate(capacity: 4)
        defer { out.deallocate() }
        let n = sim.access(AddressAccess(address: 0x1ffc, size: 8, kind: .store), into: out)
        #expect(n == 2)
        #expect(out[0].size == 4 && out[1].size == 4)
        #expect(out[0].address & 0xfff == 0xffc && out[1].address & 0xfff == 0)
        #expect(sim.counts.pageFaults == 2)
    }

    @Test func switchingWithoutPCIDFlushesAllButGlobalPages() throws {
        for tagged in [false, true] {
            var mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: .skylake, memory: FrameAllocator(bytes: 1 << 32), taggedAddressSpaces: tagged)
            try mmu.map(VirtualAddress(0x1000), to: PhysicalAddress(0x10_0000), size: .base4K, flags: .userData)
            try mmu.map(VirtualAddress(0xFFFF_8000_0000_0000), to: PhysicalAddress(0x20_0000), size: .base4K, flags: [.read, .write, .global])
            let other = try mmu.createAddressSpace()
            _ = mmu.translate(0x1000, AccessIntent(.load))
            _ = mmu.translate(0xFFFF_8000_0000_0000, AccessIntent(.load, user: false))
            mmu.switchAddressSpace(to: other)
            // The global kernel page is still cached; in the new space 0x1000 is not mapped.
            let k = mmu.translate(0xFFFF_8000_0000_0000, AccessIntent(.load, user: false))
            #expect(k.physical == 0x20_0000 && k.references == 0)
            #expect(mmu.translate(0x1000, AccessIntent(.load)).fault == .notPresent)
            mmu.switchAddressSpace(to: 0)
            let r = mmu.translate(0x1000, AccessIntent(.load))
            #expect(r.physical == 0x10_0000)
            // With PCID the entry survived both switches (no walk); without, it walked again.
            #expect((r.references == 0) == tagged)
            #expect(mmu.switchFlushes == (tagged ? 0 : 2))
        }
    }

    @Test func invalidationDropsStaleTranslations() throws {
        var mmu = try MMU<RadixPageTable>(format: .x86_64, memory: FrameAllocator(bytes: 1 << 32))
        try mmu.map(VirtualAddress(0x5000), to: PhysicalAddress(0x10_0000), size: .base4K, flags: .userData)
        #expect(mmu.translate(0x5008, AccessIntent(.store)).succeeded)
        try mmu.protect(VirtualAddress(0x5000), flags: [.read, .user])
        #expect(mmu.translate(0x5008, AccessIntent(.store)).fault == .protection)
        #expect(mmu.translate(0x5008, AccessIntent(.load)).succeeded)
        try mmu.unmap(VirtualAddress(0x5000))
        #expect(mmu.translate(0x5008, AccessIntent(.load)).fault == .notPresent)
    }

    @Test func aStoreThroughACleanEntryWalksToSetDirty() throws {
        var mmu = try MMU<RadixPageTable>(format: .x86_64, memory: FrameAllocator(bytes: 1 << 32))
        try mmu.map(VirtualAddress(0x5000), to: PhysicalAddress(0x10_0000), size: .base4K, flags: .userData)
        _ = mmu.translate(0x5000, AccessIntent(.load))
        #expect(mmu.table.entry(at: VirtualAddress(0x5000), level: 3)! & 0x40 == 0)
        _ = mmu.translate(0x5000, AccessIntent(.store))
        #expect(mmu.stats.dirtyAssists == 1 && mmu.stats.walks == 2)
        #expect(mmu.table.entry(at: VirtualAddress(0x5000), level: 3)! & 0x40 != 0)
        _ = mmu.translate(0x5000, AccessIntent(.store))
        #expect(mmu.stats.walks == 2)
    }

    // With the PDE cache, the first walk of a 2 MiB region reads 4 entries and each later one only
    // the PTE: a sweep of 512 pages costs 4 + 511 = 515 references; without walk caches 4 * 512.
    @Test func walkCachesCutReferencesPerWalk() throws {
        for (spec, expected) in [(WalkCacheSpec.default, 515), (.none, 2048)] {
            let pages = (0..<512).map { UInt64(0x4_0000 + $0) }
            var mmu = try mmuWithPages(pages, tlb: TLBSpec(parsing: "l1d=4K:64x4"), walkCache: spec)
            for p in pages { _ = mmu.translate(p << 12, AccessIntent(.load)) }
            #expect(mmu.stats.walks == 512)
            #expect(mmu.stats.walkReferences == UInt64(expected))
        }
    }

    @Test func hugePagesSplinterIntoLevelsWithoutTheirSize() throws {
        // An L1 that holds only 4K pages caches a 2M page as 4K pieces; the L2 holds it whole.
        var mmu = try MMU<RadixPageTable>(format: .x86_64, tlb: TLBSpec(parsing: "l1d=4K:64x4,l2=4K/2M:1536x12"), memory: FrameAllocator(bytes: 1 << 32))
        try mmu.map(VirtualAddress(0x20_0000), to: PhysicalAddress(0x4000_0000), size: .huge2M, flags: .userData)
        _ = mmu.translate(0x20_0000, AccessIntent(.load))
        let r = mmu.translate(0x20_1000, AccessIntent(.load))   // another 4K piece: L1 miss, L2 hit
        #expect(r.physical == 0x4000_1000 && r.references == 0)
        #expect(mmu.tlb.stats[0].hits == 0 && mmu.tlb.stats[1].hits == 1)
        #expect(mmu.translate(0x20_1fff, AccessIntent(.load)).references == 0)
        #expect(mmu.tlb.stats[0].hits == 1)
    }

    @Test func specsParseAndRejectNonsense() throws {
        #expect(TLBSpec.skylake.levels.map(\.name) == ["l1i", "l1d", "l2"])
        #expect(TLBSpec.skylake.levels[2].arrays[0].sets == 128)
        let s = try TLBSpec(parsing: "l1d=4K:64x4+2M:32x4,l2=1536x12")
        #expect(s.description == "l1d=4K:64x4+2M:32x4,l2=1536x12")
        for bad in ["l3=64x4", "l1d=64x5", "l1d=48x4", "l1d=4Q:64x4", "l1d", "l1=64x4,l1d=64x4", "l1d=x4"] {
            #expect(throws: FormatError.self, "\(bad)") { try TLBSpec(parsing: bad) }
        }
        #expect(try WalkCacheSpec(parsing: "2,4,32") == .default)
        #expect(throws: FormatError.self) { try WalkCacheSpec(parsing: "2,x") }
        // Found by fuzzing (Fuzz/Harnesses/tlb-spec.swift): "00" was [0], printed "0", which reads as none.
        for zeros in ["00", "0,0", "0, 0,000"] {
            let spec = try WalkCacheSpec(parsing: zeros)
            #expect(spec == .none, "\(zeros)")
            #expect(try WalkCacheSpec(parsing: spec.description) == spec)
        }
        #expect(try WalkCacheSpec(parsing: "0,4").entries == [4, 0])
    }
}
