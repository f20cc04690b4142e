import Testing
@testable import VMSim

@Suite struct ProcFilesTests {
    @Test func pagetypeinfoOfAFreshMachine() {
        let mem = PhysicalMemory(.normal(pages: 4096))
        let expected = """
            Page block order: 9
            Pages per block:  512

            Free pages count per migrate type at order       0      1      2      3      4      5      6      7      8      9     10 
            Node    0, zone   Normal, type    Unmovable      0      0      0      0      0      0      0      0      0      0      0 
            Node    0, zone   Normal, type      Movable      0      0      0      0      0      0      0      0      0      0      4 
            Node    0, zone   Normal, type  Reclaimable      0      0      0      0      0      0      0      0      0      0      0 
            Node    0, zone   Normal, type   HighAtomic      0      0      0      0      0      0      0      0      0      0      0 
            Node    0, zone   Normal, type          CMA      0      0      0      0      0      0      0      0      0      0      0 
            Node    0, zone   Normal, type      Isolate      0      0      0      0      0      0      0      0      0      0      0 

            Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic          CMA      Isolate 
            Node 0, zone   Normal            0            8            0            0            0            0 

            """
        #expect(ProcFiles.pagetypeinfo(mem) == expected)
    }

    @Test func zoneinfoOfTwoZones() {
        // DMA 16 MiB + Normal 48 MiB = 16384 pages: mfk sqrt(65536 * 16) = 1024 -> pages_min 256.
        // DMA: min 256 * 4096 / 16384 = 64, step max(16, 4) = 16. Normal: min 192, step max(48, 12) = 48.
        // DMA protection: Normal 12288 / 256 = 48. batch: DMA 4 / 4 = 1 -> 1; Normal 12 / 4 = 3 ->
        // rounddown(4) - 1 = 3. high_min: DMA max(80, 4) = 80, Normal max(240, 12) = 240;
        // high_max: DMA max(512, 4) = 512, Normal 1536. Thresholds: 2 * 1 * (1 + fls(0)) = 2.
        let mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .dma, pages: 4096),
                                                              ZoneSpec(type: .normal, pages: 12288)]))
        func empty(_ name: String) -> String {
            "Node 0, zone " + name + "\n  pages free     0\n        boost    0\n        min      0\n        low      0\n"
                + "        high     0\n        promo    0\n        spanned  0\n        present  0\n        managed  0\n"
                + "        cma      0\n        protection: (0, 0, 0, 0, 0)\n"
        }
        let expected = """
            Node 0, zone      DMA
              pages free     4096
                    boost    0
                    min      64
                    low      80
                    high     96
                    promo    112
                    spanned  4096
                    present  4096
                    managed  4096
                    cma      0
                    protection: (0, 0, 48, 48, 48)
              pagesets
                cpu: 0
                          count:    0
                          high:     80
                          batch:    1
                          high_min: 80
                          high_max: 512
              vm stats threshold: 2
              node_unreclaimable:  0
              start_pfn:           0
              reserved_highatomic: 0
              free_highatomic:     0

            """ + empty("   DMA32") + """
            Node 0, zone   Normal
              pages free     12288
                    boost    0
                    min      192
                    low      240
                    high     288
                    promo    336
                    spanned  12288
                    present  12288
                    managed  12288
                    cma      0
                    protection: (0, 0, 0, 0, 0)
              pagesets
                cpu: 0
                          count:    0
                          high:     240
                          batch:    3
                          high_min: 240
                          high_max: 1536
              vm stats threshold: 2
              node_unreclaimable:  0
              start_pfn:           4096
              reserved_highatomic: 0
              free_highatomic:     0

            """ + empty(" Movable") + empty("  Device")
        #expect(ProcFiles.zoneinfo(mem) == expected)
    }

    @Test func buddyinfoListsEveryPopulatedZone() {
        // DMA 1000 KiB (250 pages = 128 + 64 + 32 + 16 + 8 + 2), Normal 4 MiB starting at pfn 250:
        // 250 = 2 + 8 + 16 + 64 + 128 + 32, chunks by alignment: 250 (o1), 252 (o2), 256 (o8), 512
        // (o9), then 1024 would pass the end 1274: 1024 (o7: 128), 1152 (o6), 1216 (o5), 1248 (o4),
        // 1264 (o3), 1272 (o1).
        let mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .dma, pages: 250),
                                                              ZoneSpec(type: .normal, pages: 1024)], pcpEnabled: false))
        #expect(ProcFiles.buddyinfo(mem) == """
            Node 0, zone      DMA      0      1      0      1      1      1      1      1      0      0      0 
            Node 0, zone   Normal      0      2      1      1      1      1      1      1      1      1      0 

            """)
        #expect(mem.checkInvariants() == [])
    }
}
