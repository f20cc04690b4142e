import Testing
@testable import VMSim

@Suite struct PerCPUPagesTests {
    @Test func firstAllocationRefillsABatchFromTheBuddyLists() {
        // 256 MiB, batch 15: the refill takes pfns 0...14 off the first order-10 block; the caller
        // gets pfn 0 and 14 stay on the list. The block's remaining 1009 pages are pfn 15 (order 0)
        // and 16, 32, 64, 128, 256, 512 (orders 4 to 9).
        var mem = PhysicalMemory(.normal(pages: 65536))
        #expect(mem.allocPages(order: 0) == 0)
        #expect(mem.pcpState(zoneSlot: 0)[0].count == 14)
        #expect(ProcFiles.buddyinfo(mem)
                == "Node 0, zone   Normal      1      0      0      0      1      1      1      1      1      1     63 \n")
        // The next allocations come off the list head in address order.
        #expect(mem.allocPages(order: 0) == 1)
        #expect(mem.allocPages(order: 0) == 2)
        // A free goes to the head: the next allocation gets it back.
        mem.freePages(pfn: 1)
        #expect(mem.allocPages(order: 0) == 1)
        #expect(mem.checkInvariants() == [])
    }

    @Test func higherOrderRefillTakesMaxOfBatchShiftedAndTwo() {
        // order 3 with batch 15: max(15 >> 3, 2) = 2 blocks.
        var mem = PhysicalMemory(.normal(pages: 65536))
        #expect(mem.allocPages(order: 3) == 0)
        #expect(mem.pcpState(zoneSlot: 0)[0].count == 8)
        #expect(mem.checkInvariants() == [])
    }

    @Test func listsDrainInBatchesAtHigh() throws {
        // 16 MiB: batch 1, low watermark 160 (mfk 512 -> min 128, step 32), so high = 160.
        var mem = PhysicalMemory(.normal(pages: 4096))
        #expect(mem.pcpState(zoneSlot: 0)[0].high == 160)
        var pfns: [Int] = []
        for _ in 0..<300 { pfns.append(try unwrap(mem.allocPages(order: 0))) }
        #expect(mem.pcpPages == 0)
        for p in pfns { mem.freePages(pfn: p) }
        // Each free at count 160 sends one page back: 159 stay.
        #expect(mem.pcpPages == 159)
        #expect(mem.freePagesTotal == 4096 - 159)
        #expect(mem.checkInvariants() == [])
        mem.drainAllPages()
        #expect(mem.pcpPages == 0)
        #expect(ProcFiles.buddyinfo(mem) == "Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      4 \n")
        #expect(mem.checkInvariants() == [])
    }

    @Test func eachCPUHasItsOwnLists() throws {
        var mem = PhysicalMemory(.normal(pages: 65536, cpus: 2))
        let a = try unwrap(mem.allocPages(order: 0, cpu: 0))
        let b = try unwrap(mem.allocPages(order: 0, cpu: 1))
        #expect(a == 0)
        #expect(b == 15)   // CPU 1 refills after CPU 0 took pfns 0...14.
        mem.freePages(pfn: a, cpu: 1)
        #expect(mem.allocPages(order: 0, cpu: 1) == a)
        #expect(mem.checkInvariants() == [])
    }

    @Test func pcpIndexMatchesTheKernel() {
        #expect(PerCPUPages.pindex(mt: 0, order: 0) == 0)
        #expect(PerCPUPages.pindex(mt: 2, order: 3) == 11)
        #expect(PerCPUPages.pindex(mt: 1, order: 9) == 13)
        #expect(PerCPUPages.pindex(mt: 0, order: 9) == 12)
        #expect(PerCPUPages.order(ofPindex: 11) == 3)
        #expect(PerCPUPages.order(ofPindex: 13) == 9)
        #expect(PerCPUPages.allowedOrder(3) && PerCPUPages.allowedOrder(9) && !PerCPUPages.allowedOrder(4))
    }
}
