import Testing
@testable import VMSim

/// Watermarks, lowmem reserves and per-CPU sizing, each expected value worked by hand from the
/// formulas of mm/page_alloc.c and mm/vmstat.c (arithmetic shown in the comments).
@Suite struct WatermarkTests {
    @Test func intSqrtIsTheFloorOfTheSquareRoot() {
        #expect(Watermarks.intSqrt(0) == 0)
        #expect(Watermarks.intSqrt(1) == 1)
        #expect(Watermarks.intSqrt(15) == 3)
        #expect(Watermarks.intSqrt(16) == 4)
        #expect(Watermarks.intSqrt(524_288) == 724)   // 724² = 524176, 725² = 525625
        #expect(Watermarks.intSqrt(UInt64.max) == 4_294_967_295)
    }

    @Test func minFreeKbytesFollowsTheSquareRootAndItsClamp() {
        // 256 MiB: sqrt(262144 KiB * 16) = sqrt(4194304) = 2048.
        #expect(Watermarks.minFreeKbytes(lowmemPages: 65536) == 2048)
        // 1 MiB: sqrt(1024 * 16) = 128; 512 KiB: sqrt(8192) = 90, clamped up to 128.
        #expect(Watermarks.minFreeKbytes(lowmemPages: 256) == 128)
        #expect(Watermarks.minFreeKbytes(lowmemPages: 128) == 128)
        // 64 GiB: sqrt(67108864 * 16) = 32768; 4 TiB would be 262144 at most.
        #expect(Watermarks.minFreeKbytes(lowmemPages: 1 << 24) == 32768)
        #expect(Watermarks.minFreeKbytes(lowmemPages: 1 << 30) == 262_144)
    }

    @Test(arguments: [
        // (pages, min, low, high, promo)
        // 1 MiB: mfk 128 -> pages_min 32; step max(8, 256*10/10000 = 0) = 8.
        (256, 32, 40, 48, 56),
        // 4 MiB: mfk sqrt(65536) = 256 -> 64; step max(16, 1) = 16.
        (1024, 64, 80, 96, 112),
        // 256 MiB: mfk 2048 -> 512; step max(128, 65) = 128.
        (65536, 512, 640, 768, 896),
        // 1 GiB: mfk sqrt(16777216) = 4096 -> 1024; step max(256, 262) = 262.
        (262_144, 1024, 1286, 1548, 1810),
        // 16 GiB: mfk sqrt(268435456) = 16384 -> 4096; step max(1024, 4194) = 4194.
        (4_194_304, 4096, 8290, 12484, 16678),
    ])
    func singleZoneWatermarks(pages: Int, min: Int, low: Int, high: Int, promo: Int) {
        let mem = PhysicalMemory(.normal(pages: pages))
        #expect(mem.zones[0].watermarks == .init(min: min, low: low, high: high, promo: promo))
    }

    @Test func threeZoneWatermarksAndProtection() {
        // DMA 16 MiB (4096 pages), DMA32 1008 MiB (258048), Normal 3 GiB (786432): 4 GiB in all.
        // mfk = sqrt(4194304 KiB * 16) = 8192 -> pages_min 2048, shared by managed share:
        //   DMA    2048 * 4096 / 1048576   = 8;    step max(2, 4)       = 4
        //   DMA32  2048 * 258048 / 1048576 = 504;  step max(126, 258)   = 258
        //   Normal 2048 * 786432 / 1048576 = 1536; step max(384, 786)   = 786
        let mem = PhysicalMemory(PhysicalMemoryConfig(zones: [
            ZoneSpec(type: .dma, pages: 4096), ZoneSpec(type: .dma32, pages: 258_048), ZoneSpec(type: .normal, pages: 786_432),
        ]))
        #expect(mem.minFreeKbytes == 8192)
        #expect(mem.zones[0].watermarks == .init(min: 8, low: 12, high: 16, promo: 20))
        #expect(mem.zones[1].watermarks == .init(min: 504, low: 762, high: 1020, promo: 1278))
        #expect(mem.zones[2].watermarks == .init(min: 1536, low: 2322, high: 3108, promo: 3894))
        // lowmem_reserve: DMA keeps (DMA32)/256 = 1008 and (DMA32 + Normal)/256 = 4080;
        // DMA32 keeps Normal/256 = 3072; Normal keeps Movable/32 = 0.
        #expect(mem.zones[0].lowmemReserve == [0, 1008, 4080, 4080, 4080])
        #expect(mem.zones[1].lowmemReserve == [0, 0, 3072, 3072, 3072])
        #expect(mem.zones[2].lowmemReserve == [0, 0, 0, 0, 0])
    }

    @Test func sysctlsRecomputeTheWatermarks() {
        var mem = PhysicalMemory(.normal(pages: 65536))
        // watermark_scale_factor 100: step = max(128, 65536 * 100 / 10000 = 655) = 655.
        mem.setupWatermarks(scaleFactor: 100)
        #expect(mem.zones[0].watermarks == .init(min: 512, low: 1167, high: 1822, promo: 2477))
        // min_free_kbytes 8192 -> pages_min 2048; step max(512, 655) = 655.
        mem.setupWatermarks(minFreeKbytes: 8192)
        #expect(mem.zones[0].watermarks == .init(min: 2048, low: 2703, high: 3358, promo: 4013))
        // pcp high follows the low watermark.
        #expect(mem.pcpState(zoneSlot: 0)[0].high == 2703)
    }

    @Test(arguments: [
        // (managed pages, batch): min(managed >> 10, 256) / 4, at least 1, then
        // rounddown_pow_of_two(b + b/2) - 1, at least 1.
        (1024, 1),       // 1 / 4 = 0 -> 1 -> rounddown(1) - 1 = 0 -> 1
        (4096, 1),       // 4 / 4 = 1 -> 0 -> 1
        (16384, 3),      // 16 / 4 = 4 -> rounddown(6) - 1 = 3
        (65536, 15),     // 64 / 4 = 16 -> rounddown(24) - 1 = 15
        (131_072, 31),   // 128 / 4 = 32 -> rounddown(48) - 1 = 31
        (262_144, 63),   // 256 / 4 = 64 -> rounddown(96) - 1 = 63
        (4_194_304, 63), // capped at 1 MiB of pages
    ])
    func pcpBatch(managed: Int, batch: Int) {
        #expect(PerCPUSizing.batch(managed: managed) == batch)
    }

    @Test func pcpHighSplitsTheLowWatermarkOverTheCPUs() {
        // 256 MiB: low 640, batch 15; high_max from 65536 / 8 = 8192.
        for (cpus, highMin, highMax) in [(1, 640, 8192), (2, 320, 4096), (4, 160, 2048), (64, 60, 128)] {
            // 64 CPUs: 640 / 64 = 10 < 15 * 4 = 60; 8192 / 64 = 128.
            let mem = PhysicalMemory(.normal(pages: 65536, cpus: cpus))
            let p = mem.pcpState(zoneSlot: 0)
            #expect(p.count == cpus)
            #expect(p[0].batch == 15 && p[0].high == highMin && p[0].highMin == highMin && p[0].highMax == highMax)
        }
    }

    @Test func vmstatThreshold() {
        // 256 MiB: mem = 65536 >> 15 = 2 -> fls 2; 1 CPU: 2 * 1 * (1 + 2) = 6; 8 CPUs: 2 * 4 * 3 = 24.
        #expect(PerCPUSizing.statThreshold(managed: 65536, cpus: 1) == 6)
        #expect(PerCPUSizing.statThreshold(managed: 65536, cpus: 8) == 24)
        // 64 GiB, 64 CPUs: 2 * 7 * (1 + fls(512) = 11) = 154 -> capped at 125.
        #expect(PerCPUSizing.statThreshold(managed: 1 << 24, cpus: 64) == 125)
    }
}

@Suite("What an allocation asks of its caller")
struct AllocationAdviceTests {
    @Test func fastPathThenKswapdThenReclaim() {
        // 4 MiB, one Normal zone, no per-CPU lists: min 64, low 80 (the table above). An order-0
        // request passes a watermark when the free pages are above it (__zone_watermark_ok with
        // free_pages -= (1 << 0) - 1), so 1024 - 80 = 944 allocations take the fast path, the next
        // 80 - 64 = 16 pass only min (wake kswapd), and then nothing is left above min.
        var mem = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 1024)], pcpEnabled: false))
        var advice: [PageAllocation.Advice: Int] = [:]
        while true {
            let a = mem.allocate(order: 0)
            advice[a.advice, default: 0] += 1
            if a.pfn == nil { break }
        }
        #expect(advice == [.none: 944, .wakeKswapd: 16, .reclaim: 1])
        #expect(mem.freePagesTotal == 64)
        #expect(mem.lastFailure != nil)
        #expect(mem.allocate(order: 11).advice == .impossible)
        #expect(mem.allocate(order: 0, cpu: 5).advice == .impossible)
    }
}
