import Testing
@testable import VMSim

/// SLUB geometry against calculate_order() worked by hand: min_objects = 4 * (fls(cpus) + 1)
/// (8, 12, 16, 20, 32 for 1, 2, 4, 8, 64 CPUs), capped by what an order-3 slab holds;
/// min_order = get_order(min_objects * size); every kmalloc size then wastes at most 1/16 at min_order.
@Suite struct SLUBTests {
    static let sizes = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192]

    @Test(arguments: [
        // cpus: the order for each of 8, 16, 32, 64, 96, 128, 192, 256, 512, 1k, 2k, 4k, 8k.
        // 1 CPU, min 8: 512 * 8 = 4096 -> 0; 1k * 8 = 8192 -> 1; 2k -> 2; 4k -> 3; 8k: min(8, 4) = 4 -> 3.
        (1, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3]),
        // 2 CPUs, min 12: 256 * 12 = 3072 -> 0; 512 * 12 = 6144 -> 1; 1k -> 12288 -> 2; 2k -> 3.
        (2, [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3]),
        // 4 CPUs, min 16: 256 * 16 = 4096 -> 0; 512 -> 8192 -> 1; 1k -> 2; 2k -> 3.
        (4, [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3]),
        // 8 CPUs, min 20: 192 * 20 = 3840 -> 0; 256 * 20 = 5120 -> 1; 512 -> 10240 -> 2; 1k -> 3.
        (8, [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3]),
        // 64 CPUs, min 32: 128 * 32 = 4096 -> 0; 192 * 32 = 6144 -> 1 (waste 8192 % 192 = 128 <= 512);
        // 256 -> 8192 -> 1; 512 -> 2; 1k -> 3; 2k: min(32, 16) = 16 -> 3.
        (64, [0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3]),
    ])
    func kmallocSlabOrders(cpus: Int, orders: [Int]) {
        let slub = SlabAllocator(cpus: cpus)
        for (size, order) in zip(Self.sizes, orders) {
            #expect(SlabAllocator.calculateOrder(size: size, cpus: cpus) == order, "kmalloc-\(size), \(cpus) CPUs")
            let name = size >= 1024 ? "kmalloc-\(size / 1024)k" : "kmalloc-\(size)"
            let cache = slub.caches[slub.cacheIndex(named: name)!]
            #expect(cache.size == size && cache.order == order)
            #expect(cache.objectsPerSlab == (4096 << order) / size, "\(name)")
        }
    }

    @Test func objectsPerSlabForOneCPU() {
        let slub = SlabAllocator(cpus: 1)
        // 4096/8, /16, /32, /64, /96 = 42, /128, /192 = 21, /256, /512, 8192/1024, 16384/2048,
        // 32768/4096, 32768/8192.
        let expected = [512, 256, 128, 64, 42, 32, 21, 16, 8, 8, 8, 8, 4]
        let names = ["kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96", "kmalloc-128", "kmalloc-192",
                     "kmalloc-256", "kmalloc-512", "kmalloc-1k", "kmalloc-2k", "kmalloc-4k", "kmalloc-8k"]
        for (name, objects) in zip(names, expected) {
            #expect(slub.caches[slub.cacheIndex(named: name)!].objectsPerSlab == objects, "\(name)")
        }
    }

    @Test func calculateOrderForOddSizes() {
        // 104 bytes, 1 CPU: get_order(832) = 0; 4096 % 104 = 40 <= 256.
        #expect(SlabAllocator.calculateOrder(size: 104, cpus: 1) == 0)
        // 704 bytes: get_order(5632) = 1; 8192 % 704 = 448 <= 512.
        #expect(SlabAllocator.calculateOrder(size: 704, cpus: 1) == 1)
        // 3000 bytes: min(8, 10) objects -> get_order(24000) = 3; waste 2768 > 2048 (1/16) but
        // <= 4096 (1/8): order 3.
        #expect(SlabAllocator.calculateOrder(size: 3000, cpus: 1) == 3)
        // 20000 bytes: one object; order 3 wastes 12768, accepted only at 1/2.
        #expect(SlabAllocator.calculateOrder(size: 20000, cpus: 1) == 3)
        // 40000 bytes: min_order get_order(40000) = 4 > slub_max_order: get_order(size) = 4.
        #expect(SlabAllocator.calculateOrder(size: 40000, cpus: 1) == 4)
        #expect(SlabAllocator.calculateOrder(size: 8 << 20, cpus: 1) == nil)
    }

    @Test func kmallocSizeToCache() {
        let cases: [(Int, Int?)] = [(1, 8), (8, 8), (9, 16), (33, 64), (64, 64), (65, 96), (96, 96), (97, 128),
                                    (128, 128), (129, 192), (192, 192), (193, 256), (257, 512), (1000, 1024),
                                    (4097, 8192), (8192, 8192), (8193, nil)]
        for (size, cache) in cases { #expect(SlabAllocator.kmallocCacheSize(for: size) == cache, "\(size)") }
    }

    @Test func customCacheLayout() {
        var slub = SlabAllocator(cpus: 1)
        // 100 bytes aligned to 64: ALIGN(ALIGN(100, 8) = 104, 64) = 128.
        let a = try! slub.createCache(name: "a", size: 100, align: 64).get()
        #expect(slub.caches[a].size == 128 && slub.caches[a].objectsPerSlab == 32)
        // 100 bytes, default alignment 8: 104 bytes, 39 per order-0 slab.
        let b = try! slub.createCache(name: "b", size: 100).get()
        #expect(slub.caches[b].size == 104 && slub.caches[b].order == 0 && slub.caches[b].objectsPerSlab == 39)
        // min_partial = clamp(ilog2(104) / 2 = 3, 5, 10) = 5; for 8192: ilog2 13 / 2 = 6.
        #expect(slub.caches[b].minPartial == 5)
        #expect(slub.caches[slub.cacheIndex(named: "kmalloc-8k")!].minPartial == 6)
        #expect(throws: SlabAllocator.CacheError.self) { try slub.createCache(name: "a", size: 8).get() }
        #expect(throws: SlabAllocator.CacheError.self) { try slub.createCache(name: "c", size: 8, align: 3).get() }
    }

    @Test func slabinfoAfterKmallocAndFree() {
        var mem = PhysicalMemory(.normal(pages: 65536))
        var slub = SlabAllocator(cpus: 1)
        var objects: [SlabObject] = []
        for _ in 0..<33 {
            guard case .object(let o) = slub.kmalloc(size: 100, memory: &mem) else { Issue.record("no object"); return }
            objects.append(o)
        }
        // 33 objects of kmalloc-128 (32 per slab): two slabs, 64 objects, 33 active.
        let row = "kmalloc-128           33     64    128   32    1 : tunables    0    0    0 : slabdata      2      2      0\n"
        #expect(ProcFiles.slabinfo(slub).contains(row))
        #expect(ProcFiles.slabinfo(slub).hasPrefix(ProcFiles.slabinfoHeader + "kmalloc-8k "))
        for o in objects { slub.free(o, memory: &mem) }
        // Empty slabs stay while the node has fewer than min_partial (5) partial slabs.
        #expect(ProcFiles.slabinfo(slub).contains(
            "kmalloc-128            0     64    128   32    1 : tunables    0    0    0 : slabdata      2      2      0\n"))
        #expect(slub.slabPages == 2)
        slub.shrink(memory: &mem)
        #expect(slub.slabPages == 0)
        #expect(ProcFiles.slabinfo(slub).contains(
            "kmalloc-128            0      0    128   32    1 : tunables    0    0    0 : slabdata      0      0      0\n"))
        #expect(mem.allocatedPages == 0)
        #expect(mem.checkInvariants() == [])
    }

    @Test func emptySlabIsDiscardedWhenEnoughArePartial() {
        // kmalloc-8k: 4 objects per order-3 slab, min_partial 6. Fill 8 slabs, free one object of
        // each of slabs 1...7 (7 partial), then empty slab 0: 7 >= 6, so it is discarded.
        var mem = PhysicalMemory(.normal(pages: 65536))
        var slub = SlabAllocator(cpus: 1)
        var objects: [SlabObject] = []
        for _ in 0..<32 {
            guard case .object(let o) = slub.kmalloc(size: 8192, memory: &mem) else { Issue.record("no object"); return }
            objects.append(o)
        }
        let c = slub.cacheIndex(named: "kmalloc-8k")!
        #expect(slub.caches[c].nrSlabs == 8 && slub.caches[c].nrPartial == 0)
        for s in 1..<8 { slub.free(objects[s * 4], memory: &mem) }
        #expect(slub.caches[c].nrPartial == 7)
        for i in 0..<3 { slub.free(objects[i], memory: &mem) }
        #expect(slub.caches[c].nrPartial == 8)   // slab 0 went back to the partial list, 1 in use
        slub.free(objects[3], memory: &mem)
        #expect(slub.caches[c].nrSlabs == 7 && slub.caches[c].nrPartial == 7)
        #expect(slub.slabPages == 7 * 8)
        #expect(mem.checkInvariants() == [])
    }

    @Test func largeKmallocGoesToThePageAllocator() {
        var mem = PhysicalMemory(.normal(pages: 65536))
        var slub = SlabAllocator(cpus: 1)
        // 10000 bytes: get_order(10000) = 2.
        guard case .pages(let pfn, let order) = slub.kmalloc(size: 10000, memory: &mem) else {
            Issue.record("expected pages"); return
        }
        #expect(order == 2 && slub.largePages == 4 && mem.allocatedPages == 4)
        slub.kfreeLarge(pfn: pfn, memory: &mem)
        #expect(slub.largePages == 0 && mem.allocatedPages == 0)
        #expect(slub.kmalloc(size: 0, memory: &mem) == .zeroSize)
        #expect(slub.kmalloc(size: 5 << 20, memory: &mem) == .failed)
    }
}
