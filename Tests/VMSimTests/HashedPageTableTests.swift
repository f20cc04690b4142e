import Testing
@testable import VMSim

@Suite("Hashed and inverted page tables")
struct HashedPageTableTests {
    /// Random map/unmap/protect/walk sequences applied to a radix, a hashed and an inverted table
    /// over the same memory: every answer must agree.
    @Test(arguments: [PageTableFormat.x86_64, .sv39, .x86_32])
    func agreeWithTheRadixTable(format: PageTableFormat) throws {
        var rng = SimRandom(seed: 11)
        var memory = FrameAllocator(bytes: 1 << 28)
        var radix = try RadixPageTable(format: format, memory: &memory)
        var hashed = HashedPageTable(format: format, buckets: 64)   // small: long chains
        var inverted = InvertedPageTable(format: format, memory: memory)
        var mapped: [UInt64] = []
        var usedFrames = Set<UInt64>()
        func outcome<T: PageTable>(_ t: inout T, _ va: UInt64, _ kind: AccessKind) -> String {
            var none = NoWalkRecorder()
            let r = t.walk(va, AccessIntent(kind), start: nil, recorder: &none)
            return r.succeeded ? "ok \(r.physical) \(r.entry)" : "\(r.fault)"
        }
        for step in 0..<4_000 {
            let op = rng.below(10)
            if op < 4 || mapped.isEmpty {
                // Pages clustered in a few regions so that tables are shared and chains collide.
                let va = (rng.below(4) << 28 | rng.below(600) << 12) & (format.virtualBits >= 39 ? ~0 : 0xFFFF_FFFF)
                var frame = memory.firstFrame + 0x800 + rng.below(4_000)
                while usedFrames.contains(frame) { frame += 1 }
                let flags: PageFlags = rng.below(3) == 0 ? [.read, .user] : .userData
                let results = [Result { try radix.map(VirtualAddress(va), to: PhysicalAddress(frame << 12), size: .base4K, flags: flags, memory: &memory) },
                               Result { try hashed.map(VirtualAddress(va), to: PhysicalAddress(frame << 12), size: .base4K, flags: flags, memory: &memory) },
                               Result { try inverted.map(VirtualAddress(va), to: PhysicalAddress(frame << 12), size: .base4K, flags: flags, memory: &memory) }]
                let failed = results.map { if case .failure = $0 { true } else { false } }
                #expect(failed[0] == failed[1] && failed[1] == failed[2], "step \(step): map \(va)")
                if !failed[0] { mapped.append(va); usedFrames.insert(frame) }
            } else if op < 6 {
                let i = Int(rng.below(UInt64(mapped.count)))
                let va = mapped.remove(at: i)
                let a = try radix.unmap(VirtualAddress(va), memory: &memory).0
                let b = try hashed.unmap(VirtualAddress(va), memory: &memory).0
                let c = try inverted.unmap(VirtualAddress(va), memory: &memory).0
                #expect(a == b && b == c)
                usedFrames.remove(a.physical.rawValue >> 12)
            } else if op < 7 {
                let va = mapped[Int(rng.below(UInt64(mapped.count)))]
                let flags: PageFlags = rng.below(2) == 0 ? [.read, .user] : .userData
                #expect(try radix.protect(VirtualAddress(va), flags: flags) == hashed.protect(VirtualAddress(va), flags: flags))
                _ = try inverted.protect(VirtualAddress(va), flags: flags)
            } else {
                let va = (rng.below(2) == 0 && !mapped.isEmpty ? mapped[Int(rng.below(UInt64(mapped.count)))] : rng.below(4) << 28 | rng.below(600) << 12)
                    | rng.below(4096)
                let kind: AccessKind = rng.below(2) == 0 ? .load : .store
                let r = outcome(&radix, va, kind)
                #expect(r == outcome(&hashed, va, kind), "step \(step): \(va)")
                #expect(r == outcome(&inverted, va, kind), "step \(step): \(va)")
            }
        }
        #expect(radix.mappedPages == hashed.mappedPages && hashed.mappedPages == inverted.mappedPages)
        #expect(hashed.probes.lookups > 0 && hashed.probes.longest >= 2)
        #expect(hashed.probes.mean >= 1)
    }

    @Test func invertedTablesRefuseSharingAndForeignFrames() throws {
        var memory = FrameAllocator(bytes: 1 << 24)
        var table = InvertedPageTable(format: .x86_64, memory: memory)
        try table.map(VirtualAddress(0x1000), to: PhysicalAddress(0x20_0000), size: .base4K, flags: .userData, memory: &memory)
        #expect(throws: MapError.self) {   // the same frame at a second address
            try table.map(VirtualAddress(0x2000), to: PhysicalAddress(0x20_0000), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.self) {   // beyond the 16 MiB it covers
            try table.map(VirtualAddress(0x3000), to: PhysicalAddress(0x1_0000_0000), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.self) {
            try table.map(VirtualAddress(0x20_0000), to: PhysicalAddress(0x40_0000), size: .huge2M, flags: .userData, memory: &memory)
        }
        // 16 MiB - 1 MiB reserved = 3,840 frames: 3,840 x 24 + 4,096 x 4 bytes.
        #expect(table.tableBytes == 3_840 * 24 + 4_096 * 4)
    }

    @Test func mmuWorksOverAHashedTable() throws {
        var mmu = try MMU<HashedPageTable>(format: .x86_64, memory: FrameAllocator(bytes: 1 << 30))
        try mmu.map(VirtualAddress(0x7000), to: PhysicalAddress(0x30_0000), size: .base4K, flags: .userData)
        let r = mmu.translate(0x7abc, AccessIntent(.load))
        #expect(r.physical == 0x30_0abc && r.references == 2)   // bucket head + one entry
        #expect(mmu.translate(0x7abc, AccessIntent(.load)).references == 0)
    }
}
