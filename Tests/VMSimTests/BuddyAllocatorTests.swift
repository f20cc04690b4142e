import Testing
@testable import VMSim

/// Hand-worked buddy sequences: every expected number below was worked out on paper from the
/// rules of mm/page_alloc.c (expand gives upper halves to the list heads, boot memory goes to the
/// tails in ascending order, __free_one_page merges with pfn ^ (1 << order)).
@Suite struct BuddyAllocatorTests {
    /// 16 MiB = 4096 pages = four order-10 blocks.
    func sixteenMiB(pcp: Bool = false) -> PhysicalMemory {
        var config = PhysicalMemoryConfig.normal(pages: 4096)
        config.pcpEnabled = pcp
        return PhysicalMemory(config)
    }

    func line(_ counts: [Int]) -> String {
        "Node 0, zone   Normal " + counts.map { String(repeating: " ", count: 6 - String($0).count) + "\($0) " }.joined() + "\n"
    }

    @Test func bootFreesAscendingToTheTails() {
        let mem = sixteenMiB()
        #expect(ProcFiles.buddyinfo(mem) == line([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]))
        #expect(ProcFiles.buddyinfo(mem) == "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      4 \n")
        #expect(mem.freeListPfns(zoneSlot: 0, order: 10, migratetype: .movable) == [0, 1024, 2048, 3072])
        #expect(mem.checkInvariants() == [])
    }

    @Test func bootOfAnUnalignedZoneUsesTheLargestAlignedChunks() {
        // 4101 pages: four order-10 blocks, then pfn 4096 (order 2: 4096..4099) and 4100 (order 0).
        let mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 4101)], pcpEnabled: false))
        #expect(mem.nrFreeCounts(zoneSlot: 0) == [1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4])
        #expect(mem.checkInvariants() == [])
    }

    @Test func splitThenMergeSequence() throws {
        var mem = sixteenMiB()
        // alloc a 0: the order-10 block at pfn 0 splits; halves 512, 256, ..., 1 go to the heads.
        let a = try unwrap(mem.allocPages(order: 0))
        #expect(a == 0)
        #expect(ProcFiles.buddyinfo(mem) == line([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]))
        #expect(mem.freeListPfns(zoneSlot: 0, order: 9, migratetype: .movable) == [512])
        #expect(mem.freeListPfns(zoneSlot: 0, order: 0, migratetype: .movable) == [1])
        #expect(mem.freeListPfns(zoneSlot: 0, order: 10, migratetype: .movable) == [1024, 2048, 3072])
        // alloc b 0 takes pfn 1; alloc c 1 takes pfn 2.
        let b = try unwrap(mem.allocPages(order: 0))
        #expect(b == 1)
        let c = try unwrap(mem.allocPages(order: 1))
        #expect(c == 2)
        #expect(ProcFiles.buddyinfo(mem) == line([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3]))
        // free a: buddy 1 is allocated, no merge; buddy_merge_likely looks at pfn 2 (order 1,
        // allocated): false, so pfn 0 goes to the head.
        mem.freePages(pfn: a)
        #expect(ProcFiles.buddyinfo(mem) == line([1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 3]))
        // free b: merges with 0 into order 1 at pfn 0; its order-2 buddy (pfn 2) is allocated.
        mem.freePages(pfn: b)
        #expect(ProcFiles.buddyinfo(mem) == line([0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]))
        // free c: pfn 2 merges with 0, then 4, 8, ..., 512: back to four order-10 blocks.
        mem.freePages(pfn: c)
        #expect(ProcFiles.buddyinfo(mem) == line([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]))
        // The merged block went to the head (order 10 has no buddy_merge_likely).
        #expect(mem.freeListPfns(zoneSlot: 0, order: 10, migratetype: .movable) == [0, 1024, 2048, 3072])
        #expect(mem.checkInvariants() == [])
    }

    @Test func buddyMergeLikelyPutsTheBlockAtTheTail() throws {
        var mem = sixteenMiB()
        let a = try unwrap(mem.allocPages(order: 0))   // 0; free lists: order 0 [1], order 1 [2], order 2 [4] ...
        let b = try unwrap(mem.allocPages(order: 0))   // 1
        let c = try unwrap(mem.allocPages(order: 0))   // 2 (splits the order-1 block at 2: pfn 3 to order 0)
        let d = try unwrap(mem.allocPages(order: 0))   // 3
        let e = try unwrap(mem.allocPages(order: 0))   // 4 (splits the order-2 block at 4: 6 to order 1, 5 to order 0)
        #expect([a, b, c, d, e] == [0, 1, 2, 3, 4])
        #expect(mem.freeListPfns(zoneSlot: 0, order: 0, migratetype: .movable) == [5])
        #expect(mem.freeListPfns(zoneSlot: 0, order: 1, migratetype: .movable) == [6])
        // free a: buddy 1 is allocated; higher = 1 & 0 = 0, whose order-1 buddy pfn 2 is allocated: head.
        mem.freePages(pfn: a)
        #expect(mem.freeListPfns(zoneSlot: 0, order: 0, migratetype: .movable) == [0, 5])
        // free b: merges with 0 into order 1 at 0; pfn 2 (its order-1 buddy) is allocated.
        // higher = 2 & 0 = 0, whose order-2 buddy pfn 4 is allocated: head of order 1.
        mem.freePages(pfn: b)
        #expect(mem.freeListPfns(zoneSlot: 0, order: 1, migratetype: .movable) == [0, 6])
        #expect(mem.freeListPfns(zoneSlot: 0, order: 0, migratetype: .movable) == [5])
        // free d: buddy 2 is allocated; higher = 2 & 3 = 2, whose order-1 buddy pfn 0 IS free at
        // order 1: buddy_merge_likely, so pfn 3 goes to the TAIL.
        mem.freePages(pfn: d)
        #expect(mem.freeListPfns(zoneSlot: 0, order: 0, migratetype: .movable) == [5, 3])
        // free c: 2+3 -> order 1 at 2, + 0 -> order 2 at 0; pfn 4 is allocated. higher = 4 & 0 = 0,
        // whose order-3 buddy pfn 8 is free: tail of order 2.
        mem.freePages(pfn: c)
        #expect(mem.freeListPfns(zoneSlot: 0, order: 2, migratetype: .movable) == [0])
        #expect(ProcFiles.buddyinfo(mem) == line([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]))
        // free e: 4+5, +6, +0, +8, ... all the way back to order 10.
        mem.freePages(pfn: e)
        #expect(ProcFiles.buddyinfo(mem) == line([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]))
        #expect(mem.checkInvariants() == [])
    }

    @Test func unmovableAllocationClaimsAMovableBlock() throws {
        // Fresh memory is all movable. An unmovable order-0 allocation in a Normal zone falls back
        // with ALLOC_NOFRAGMENT: the largest movable block (order 10, head pfn 0) changes owner
        // outright: both its pageblocks become unmovable and its halves go to unmovable lists.
        var mem = sixteenMiB()
        let p = try unwrap(mem.allocPages(order: 0, migratetype: .unmovable))
        #expect(p == 0)
        #expect(mem.pageblockCounts(zoneSlot: 0) == [2, 6, 0, 0, 0, 0])
        #expect(mem.freeListCount(zoneSlot: 0, order: 9, migratetype: .unmovable) == 1)
        #expect(mem.freeListCount(zoneSlot: 0, order: 10, migratetype: .movable) == 3)
        #expect(mem.stats.fallbacks == 1 && mem.stats.fallbackClaims == 1)
        #expect(mem.checkInvariants() == [])
    }

    @Test func movableAllocationTakesBackAPageblock() {
        // 4 MiB: one order-10 block, two pageblocks. The unmovable allocation claims both; then a
        // movable one finds no movable page and takes the free order-9 pageblock (pfn 512).
        var mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 1024)], pcpEnabled: false,
                                                      minFreeKbytes: 0))
        #expect(mem.allocPages(order: 0, migratetype: .unmovable) == 0)
        #expect(mem.allocPages(order: 0, migratetype: .movable) == 512)
        #expect(mem.pageblockCounts(zoneSlot: 0) == [1, 1, 0, 0, 0, 0])
        #expect(mem.checkInvariants() == [])
    }

    @Test func smallStealLeavesTheRemainderWithItsPageblock() throws {
        // Two pageblocks (1024 pages, min_free_kbytes 0 so that watermarks do not interfere).
        // Fill pageblock 1 (movable after the steal) except one order-0 page; then a reclaimable
        // allocation must fall back: without NOFRAGMENT only after the first pass fails, stealing
        // the single page without claiming the block.
        var mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 1024)], pcpEnabled: false,
                                                      minFreeKbytes: 0))
        var held: [Int] = []
        for _ in 0..<1023 { held.append(try unwrap(mem.allocPages(order: 0, migratetype: .movable))) }
        #expect(held.allSatisfy { $0 >= 0 })
        #expect(mem.freePagesTotal == 1)
        let r = try unwrap(mem.allocPages(order: 0, migratetype: .reclaimable))
        #expect(r == 1023)
        // The one free page was too little to claim half a pageblock: the blocks stay movable.
        #expect(mem.pageblockCounts(zoneSlot: 0) == [0, 2, 0, 0, 0, 0])
        #expect(mem.stats.fallbacks == 1 && mem.stats.fallbackClaims == 0)
        #expect(mem.checkInvariants() == [])
    }

    @Test func zonesFallBackDownwardAndRespectTheReserve() {
        // DMA 16M, Normal 16M: a Normal allocation may use DMA only above DMA's min + protection.
        var mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .dma, pages: 4096),
                                                              ZoneSpec(type: .normal, pages: 4096)], pcpEnabled: false))
        // protection of DMA for Normal requests: 4096 / 256 = 16.
        #expect(mem.zones[0].lowmemReserve == [0, 0, 16, 16, 16])
        var blocks: [Int] = []
        while let p = mem.allocPages(order: 10) { blocks.append(p) }
        // Normal's four order-10 blocks fail the watermark at the fourth (free - 1023 <= min),
        // likewise in DMA: three from each zone, Normal first.
        #expect(blocks == [4096, 5120, 6144, 0, 1024, 2048])
        #expect(mem.stats.pgalloc[ZoneType.normal.rawValue] == 3 * 1024)
        #expect(mem.stats.pgalloc[ZoneType.dma.rawValue] == 3 * 1024)
        #expect(mem.lastFailure?.order == 10)
        #expect(mem.checkInvariants() == [])
    }

    @Test func freeOfSomethingNotAllocatedChangesNothing() throws {
        var mem = sixteenMiB()
        do { let r = mem.freePages(pfn: 0); #expect(r == false) }
        do { let r = mem.freePages(pfn: -1); #expect(r == false) }
        do { let r = mem.freePages(pfn: 1 << 30); #expect(r == false) }
        let p = try unwrap(mem.allocPages(order: 2))
        do { let r = mem.freePages(pfn: p + 1); #expect(r == false) }
        do { let r = mem.freePages(pfn: p); #expect(r == true) }
        do { let r = mem.freePages(pfn: p); #expect(r == false) }
        do { let r = mem.allocPages(order: 11); #expect(r == nil) }
        #expect(mem.checkInvariants() == [])
    }
}

/// `value`, or a recorded failure (and a thrown error) at the caller's line when it is nil; for
/// calls that mutate, which `#require` cannot wrap.
func unwrap<T>(_ value: T?, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
    try #require(value, sourceLocation: sourceLocation)
}
