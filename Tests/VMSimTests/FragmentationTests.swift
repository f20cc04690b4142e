import Testing
@testable import VMSim

/// The fragmentation indices of mm/vmstat.c on constructed `nr_free` states, worked by hand.
@Suite struct FragmentationTests {
    @Test func nothingFree() {
        let nrFree = [Int](repeating: 0, count: 11)
        // No free blocks: fragmentation index 0, unusable index 1 (all of nothing is unusable).
        #expect(Fragmentation.extfragIndices(nrFree: nrFree) == [Int](repeating: 0, count: 11))
        #expect(Fragmentation.unusableIndices(nrFree: nrFree) == [Int](repeating: 1000, count: 11))
    }

    @Test func tenSinglePages() {
        var nrFree = [Int](repeating: 0, count: 11)
        nrFree[0] = 10
        // order 0 succeeds: -1000. order 1: 1000 - (1000 + 10*1000/2) / 10 = 1000 - 600 = 400;
        // order 2: 1000 - (1000 + 2500) / 10 = 650; order 3: 1000 - (1000 + 1250) / 10 = 775;
        // order 10: 1000 - (1000 + 9) / 10 = 900 (10000 / 1024 = 9).
        let extfrag = Fragmentation.extfragIndices(nrFree: nrFree)
        #expect(extfrag[0] == -1000 && extfrag[1] == 400 && extfrag[2] == 650 && extfrag[3] == 775 && extfrag[10] == 900)
        // unusable: order 0 uses everything (0); every higher order uses nothing (1000).
        #expect(Fragmentation.unusableIndices(nrFree: nrFree) == [0] + [Int](repeating: 1000, count: 10))
    }

    @Test func mixedOrders() {
        // 2 order-0, 1 order-1, 1 order-3 blocks: 12 free pages in 4 blocks.
        let nrFree = [2, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        let info = Fragmentation.contigPageInfo(nrFree: nrFree, suitableOrder: 1)
        #expect(info == .init(freePages: 12, freeBlocksTotal: 4, freeBlocksSuitable: 5))
        let extfrag = Fragmentation.extfragIndices(nrFree: nrFree)
        // Orders 0...3 can be served. Order 4: 1000 - (1000 + 12000/16 = 750) / 4 = 1000 - 437 = 563.
        #expect(Array(extfrag[0...3]) == [-1000, -1000, -1000, -1000])
        #expect(extfrag[4] == 563)
        // Order 5: 1000 - (1000 + 375) / 4 = 1000 - 343 = 657.
        #expect(extfrag[5] == 657)
        let unusable = Fragmentation.unusableIndices(nrFree: nrFree)
        // order 1: suitable 1 + 4 = 5 blocks = 10 pages: (12 - 10) * 1000 / 12 = 166;
        // order 2: suitable 2 blocks = 8 pages: 4000 / 12 = 333; order 3: 8 pages: 333; order 4: 1000.
        #expect(Array(unusable[0...4]) == [0, 166, 333, 333, 1000])
    }

    @Test func debugfsFormats() throws {
        // -1000 prints as "-1.000", 400 as " 0.400" (%2d.%03d); unusable as "%d.%03d".
        var mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 1024)], pcpEnabled: false,
                                                      minFreeKbytes: 0))
        // Allocate every page, then free every other one: 512 free order-0 pages and nothing else.
        var pfns: [Int] = []
        for _ in 0..<1024 { pfns.append(try unwrap(mem.allocPages(order: 0))) }
        #expect(pfns.allSatisfy { $0 >= 0 })
        for p in pfns where p % 2 == 0 { mem.freePages(pfn: p) }
        #expect(mem.nrFreeCounts(zoneSlot: 0) == [512, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        // order 1: 1000 - (1000 + 512000/2) / 512 = 1000 - 501 = 499; order 2: 1000 - (1000 + 128000)/512
        // = 1000 - 251 = 749; order 3: 1000 - 65000/512 = 1000 - 126 = 874; order 4: 1000 - 33000/512
        // = 936; order 5: 1000 - 17000/512 = 967; order 6: 1000 - 9000/512 = 983; order 7: 1000 - 5000/512
        // = 991; order 8: 1000 - 3000/512 = 995; order 9: 1000 - 2000/512 = 997; order 10: 1000 - 1500/512 = 998.
        #expect(ProcFiles.extfragIndex(mem)
                == "Node 0, zone   Normal -1.000  0.499  0.749  0.874  0.936  0.967  0.983  0.991  0.995  0.997  0.998 \n")
        #expect(ProcFiles.unusableIndex(mem)
                == "Node 0, zone   Normal 0.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 1.000 \n")
        #expect(mem.checkInvariants() == [])
    }
}
