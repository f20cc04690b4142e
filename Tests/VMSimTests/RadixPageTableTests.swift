import Testing
@testable import VMSim

/// A fresh memory: frames are handed out from 0x100 (1 MiB) upward, so the root table is frame
/// 0x100 and the tables a first mapping needs are 0x101, 0x102, ... in walk order.
func freshMemory(_ bytes: UInt64 = 1 << 32) -> FrameAllocator { FrameAllocator(bytes: bytes) }

func walkSteps(_ table: inout RadixPageTable, _ va: UInt64, _ kind: AccessKind, user: Bool = true) -> (WalkResult, [WalkStep]) {
    var rec = WalkSteps()
    let r = table.walk(va, AccessIntent(kind, user: user), start: nil, recorder: &rec)
    return (r, rec.steps)
}

@Suite("Radix page tables")
struct RadixPageTableTests {
    // x86-64, VA 0x0000_0080_8060_4567 built from chosen indices:
    //   PGD = bits 47..39 = 1, PUD = bits 38..30 = 2, PMD = bits 29..21 = 3, PTE = bits 20..12 = 4,
    //   offset = bits 11..0 = 0x567:  1<<39 | 2<<30 | 3<<21 | 4<<12 | 0x567 = 0x80_8060_4567.
    // Tables: PGD frame 0x100 (PA 0x100000), PUD 0x101, PMD 0x102, PT 0x103.
    // Entry addresses = table PA + 8 * index: 0x100008, 0x101010, 0x102018, 0x103020.
    // Table entries = next table PA | P|RW|US (0x7); the walk sets A (0x20): 0x101027, 0x102027, 0x103027.
    // Leaf for PA 0x1_2345_6000, flags rwu (no x => NX bit 63): 0x8000_0001_2345_6007;
    // a load sets A -> ...6027, a store then sets D (0x40) -> ...6067.
    // Physical address = 0x1_2345_6000 | 0x567 = 0x1_2345_6567.
    @Test func x86_64WalkMatchesTheHandComputedExample() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        #expect(table.rootAddress == PhysicalAddress(0x10_0000))
        let cost = try table.map(VirtualAddress(0x80_8060_4000), to: PhysicalAddress(0x1_2345_6000), size: .base4K,
                                 flags: .userData, memory: &memory)
        #expect(cost.tables == 3)
        #expect(table.tablePages == 4)

        let (r, steps) = walkSteps(&table, 0x80_8060_4567, .load)
        #expect(r.fault == .none)
        #expect(r.physical == 0x1_2345_6567)
        #expect(r.references == 4)
        #expect(steps.map(\.index) == [1, 2, 3, 4])
        #expect(steps.map(\.entryAddress) == [0x10_0008, 0x10_1010, 0x10_2018, 0x10_3020])
        #expect(steps.map(\.entry) == [0x10_1007, 0x10_2007, 0x10_3007, 0x8000_0001_2345_6007])
        #expect(steps.map(\.updated) == [0x10_1027, 0x10_2027, 0x10_3027, 0x8000_0001_2345_6027])
        #expect(r.permissions.contains([.read, .write, .user]) && !r.permissions.contains(.execute))

        let (w, _) = walkSteps(&table, 0x80_8060_4567, .store)
        #expect(w.entry == 0x8000_0001_2345_6067)
        #expect(table.entry(at: VirtualAddress(0x80_8060_4000), level: 3) == 0x8000_0001_2345_6067)
        // No execute permission: NX is set in the leaf.
        #expect(walkSteps(&table, 0x80_8060_4567, .instruction).0.fault == .protection)
    }

    // A 2 MiB page at VA 0x4020_0000 (PGD 0, PUD 1, PMD 1) -> PA 0x8000_0000: the PMD entry is the
    // leaf, 0x8000_0000 | PS (0x80) | P|RW|US | NX; a walk reads 3 entries; VA 0x4021_2345 lies
    // 0x1_2345 into the page -> PA 0x8001_2345.
    @Test func x86_64HugePageIsAPMDLeaf() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        try table.map(VirtualAddress(0x4020_0000), to: PhysicalAddress(0x8000_0000), size: .huge2M, flags: .userData, memory: &memory)
        let (r, steps) = walkSteps(&table, 0x4021_2345, .load)
        #expect(r.physical == 0x8001_2345)
        #expect(r.pageShift == 21)
        #expect(r.references == 3)
        #expect(steps.map(\.index) == [0, 1, 1])
        #expect(steps[2].entry == 0x8000_0000_8000_0087)
        // 1 GiB at PUD 3: VA 0xC000_0000 -> PA 0x1_4000_0000.
        try table.map(VirtualAddress(0xC000_0000), to: PhysicalAddress(0x1_4000_0000), size: .huge1G, flags: .userData, memory: &memory)
        let g = walkSteps(&table, 0xC123_4567, .load).0
        #expect(g.physical == 0x1_4123_4567 && g.references == 2 && g.pageShift == 30)
    }

    // Sv39, VA 0x8060_5678 = VPN[2] 2 << 30 | VPN[1] 3 << 21 | VPN[0] 5 << 12 | 0x678.
    // Tables at frames 0x100, 0x101, 0x102. Pointer entries hold PPN << 10 | V with R=W=X=0:
    //   root[2] = 0x101 << 10 | 1 = 0x40401, L1[3] = 0x102 << 10 | 1 = 0x40801 (no A on pointers).
    // Leaf for PA 0x8765_4000, flags rwu: PPN 0x87654 << 10 = 0x21d9_5000 | V R W U (0x17)
    //   = 0x21d9_5017; a load sets A (0x40) -> 0x21d9_5057; a store sets D (0x80) -> 0x21d9_50d7.
    // Entry addresses: 0x100000 + 2*8 = 0x100010, 0x101000 + 3*8 = 0x101018, 0x102000 + 5*8 = 0x102028.
    @Test func sv39WalkMatchesTheHandComputedExample() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .sv39, memory: &memory)
        try table.map(VirtualAddress(0x8060_5000), to: PhysicalAddress(0x8765_4000), size: .base4K, flags: .userData, memory: &memory)
        let (r, steps) = walkSteps(&table, 0x8060_5678, .load)
        #expect(r.physical == 0x8765_4678)
        #expect(r.references == 3)
        #expect(steps.map(\.index) == [2, 3, 5])
        #expect(steps.map(\.entryAddress) == [0x10_0010, 0x10_1018, 0x10_2028])
        #expect(steps.map(\.entry) == [0x40401, 0x40801, 0x21d9_5017])
        #expect(steps.map(\.updated) == [0x40401, 0x40801, 0x21d9_5057])
        #expect(walkSteps(&table, 0x8060_5678, .store).0.entry == 0x21d9_50d7)
        // Supervisor access to a U page faults in RISC-V (SUM = 0).
        #expect(walkSteps(&table, 0x8060_5678, .load, user: false).0.fault == .protection)
    }

    @Test func levelsCarryTheKernelsNames() {
        #expect(PageTableFormat.x86_64.levels.map(\.name) == ["PGD", "PUD", "PMD", "PTE"])
        #expect(PageTableFormat.x86_64.levels.map(\.hardwareName) == ["PML4", "PDPT", "PD", "PT"])
        #expect(PageTableFormat.la57.levels.map(\.name) == ["PGD", "P4D", "PUD", "PMD", "PTE"])
        #expect(PageTableFormat.sv39.levels.map(\.name) == ["PGD", "PMD", "PTE"])
        #expect(PageTableFormat.sv48.levels.map(\.name) == ["PGD", "PUD", "PMD", "PTE"])
        #expect(PageTableFormat.sv57.levels.map(\.hardwareName) == ["VPN[4]", "VPN[3]", "VPN[2]", "VPN[1]", "VPN[0]"])
        #expect(PageTableFormat.pae.pageSizes == [.base4K, .huge2M])
        #expect(PageTableFormat.x86_32.pageSizes == [.base4K, PageSize(shift: 22)])
        #expect(PageTableFormat.sv57.pageSizes.last == PageSize(shift: 48))
    }

    @Test func nonCanonicalAddressesFault() throws {
        var memory = freshMemory()
        var x86 = try RadixPageTable(format: .x86_64, memory: &memory)
        #expect(walkSteps(&x86, 0x0000_8000_0000_0000, .load).0.fault == .nonCanonical)
        #expect(walkSteps(&x86, 0xFFFF_8000_0000_0000, .load).0.fault == .notPresent) // canonical kernel half
        var sv39 = try RadixPageTable(format: .sv39, memory: &memory)
        #expect(walkSteps(&sv39, 0x40_0000_0000, .load).0.fault == .nonCanonical)       // bit 38 set, 63..39 clear
        #expect(walkSteps(&sv39, 0xFFFF_FFC0_0000_0000, .load).0.fault == .notPresent)
        var x86_32 = try RadixPageTable(format: .x86_32, memory: &memory)
        #expect(walkSteps(&x86_32, 0x1_0000_0000, .load).0.fault == .nonCanonical)
        var la57 = try RadixPageTable(format: .la57, memory: &memory)
        #expect(walkSteps(&la57, 0x0000_8000_0000_0000, .load).0.fault == .notPresent)  // valid with 57 bits
        #expect(walkSteps(&la57, 0x0100_0000_0000_0000, .load).0.fault == .nonCanonical)
    }

    // x86-32: VA 0x0040_3abc = PGD 1 (bits 31..22), PTE 3 (bits 21..12), offset 0xabc. 4-byte
    // entries: PGD entry at 0x100000 + 4*1 = 0x100004 = 0x101007 (-> 0x101027 after the walk).
    // A 4 MiB PSE page at VA 0x0080_0000 (PGD 2) -> PA 0x0400_0000: entry 0x0400_0087.
    @Test func x86_32UsesFourByteEntriesAndPSE() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .x86_32, memory: &memory)
        try table.map(VirtualAddress(0x40_3000), to: PhysicalAddress(0x1234_5000), size: .base4K, flags: .userData, memory: &memory)
        let (r, steps) = walkSteps(&table, 0x40_3abc, .load)
        #expect(r.physical == 0x1234_5abc)
        #expect(steps.map(\.entryAddress) == [0x10_0004, 0x10_100c])
        #expect(steps.map(\.updated) == [0x10_1027, 0x1234_5027])   // no NX in 32-bit entries
        try table.map(VirtualAddress(0x80_0000), to: PhysicalAddress(0x400_0000), size: PageSize(shift: 22), flags: .userData, memory: &memory)
        let (p, ps) = walkSteps(&table, 0x81_2345, .load)
        #expect(p.physical == 0x401_2345 && p.references == 1)
        #expect(ps[0].entry == 0x0400_0087)
    }

    // PAE: VA 0xC020_3456 = PDPT 3 (bits 31..30), PD 1 (29..21), PT 3 (20..12): the PDPTE sits in a
    // register, so a walk reads 2 entries from memory; PDPTEs carry P only (RW/US reserved).
    @Test func paeReadsTwoEntriesFromMemory() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .pae, memory: &memory)
        try table.map(VirtualAddress(0xC020_3000), to: PhysicalAddress(0x9_8765_4000), size: .base4K, flags: .userData, memory: &memory)
        let (r, steps) = walkSteps(&table, 0xC020_3456, .store)
        #expect(r.physical == 0x9_8765_4456)
        #expect(r.references == 2)
        #expect(steps.map(\.index) == [3, 1, 3])
        #expect(steps[0].entry == 0x10_1001)
        #expect(throws: MapError.self) {
            try table.map(VirtualAddress(0x1000), to: PhysicalAddress(0x10_0000_0000), size: .base4K, flags: .userData, memory: &memory)
        }
    }

    @Test func customSplitWalksItsLevels() throws {
        let format = try PageTableFormat.custom(indexBits: [10, 10], pageSize: .base4K)
        #expect(format.virtualBits == 32 && format.entryBytes == 4)
        var memory = freshMemory()
        var table = try RadixPageTable(format: format, memory: &memory)
        try table.map(VirtualAddress(0xFFC0_1000), to: PhysicalAddress(0x5000), size: .base4K, flags: .userData, memory: &memory)
        let (r, steps) = walkSteps(&table, 0xFFC0_1ABC, .load)
        #expect(r.physical == 0x5ABC)
        #expect(steps.map(\.index) == [1023, 1])
        // 3 levels of 8, 8, 8 bits over 16K pages: 38-bit addresses, 8-byte entries.
        let wide = try PageTableFormat.custom(indexBits: [8, 8, 8], pageSize: PageSize(shift: 14))
        #expect(wide.virtualBits == 38 && wide.entryBytes == 8)
        var memory16K = FrameAllocator(bytes: 1 << 30, frameSize: PageSize(shift: 14))
        var t2 = try RadixPageTable(format: wide, memory: &memory16K)
        try t2.map(VirtualAddress(0x12_3456_C000), to: PhysicalAddress(0x8000), size: PageSize(shift: 14), flags: .userData, memory: &memory16K)
        #expect(walkSteps(&t2, 0x12_3456_C123, .load).0.physical == 0x8123)
        #expect(throws: FormatError.self) { try PageTableFormat.custom(indexBits: [40, 20], pageSize: .base4K) }
        #expect(throws: FormatError.self) { try PageTableFormat.custom(indexBits: [10], pageSize: PageSize(shift: 10)) }
    }

    @Test func mapRefusesOverlapsMisalignmentAndOutOfRange() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        try table.map(VirtualAddress(0x20_0000), to: PhysicalAddress(0x40_0000), size: .base4K, flags: .userData, memory: &memory)
        #expect(throws: MapError.overlaps(Mapping(virtual: VirtualAddress(0x20_0000), physical: PhysicalAddress(0x40_0000),
                                                  size: .base4K, flags: .userData))) {
            try table.map(VirtualAddress(0x20_0000), to: PhysicalAddress(0x50_0000), size: .base4K, flags: .userData, memory: &memory)
        }
        // A 2M page over the range that holds the 4K page.
        #expect(throws: MapError.coversSmallerMappings(VirtualAddress(0x20_0000), .huge2M, level: "PTE")) {
            try table.map(VirtualAddress(0x20_0000), to: PhysicalAddress(0x4000_0000), size: .huge2M, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.unaligned(VirtualAddress(0x60_1000), PhysicalAddress(0x4000_0000), .huge2M)) {
            try table.map(VirtualAddress(0x60_1000), to: PhysicalAddress(0x4000_0000), size: .huge2M, flags: .userData, memory: &memory)
        }
        // A 4K page inside an existing 2M page.
        try table.map(VirtualAddress(0x80_0000), to: PhysicalAddress(0x4000_0000), size: .huge2M, flags: .userData, memory: &memory)
        #expect(throws: MapError.self) {
            try table.map(VirtualAddress(0x81_0000), to: PhysicalAddress(0x9000), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.virtualOutOfRange(VirtualAddress(0x8000_0000_0000), format: "x86-64", bits: 48)) {
            try table.map(VirtualAddress(0x8000_0000_0000), to: PhysicalAddress(0x9000), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.self) {
            try table.map(VirtualAddress(0x1000), to: PhysicalAddress(1 << 52), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(throws: MapError.unsupportedSize(PageSize(shift: 22), format: "x86-64", sizes: [.base4K, .huge2M, .huge1G])) {
            try table.map(VirtualAddress(0x40_0000), to: PhysicalAddress(0x40_0000), size: PageSize(shift: 22), flags: .userData, memory: &memory)
        }
        var sv = try RadixPageTable(format: .sv39, memory: &memory)
        #expect(throws: MapError.self) {
            try sv.map(VirtualAddress(0x1000), to: PhysicalAddress(0x1000), size: .base4K, flags: [.write, .user], memory: &memory)
        }
    }

    @Test func unmapFreesEmptyTablesAndProtectChangesBits() throws {
        var memory = freshMemory()
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        let before = memory.allocatedFrames
        try table.map(VirtualAddress(0x7fff_f000), to: PhysicalAddress(0x1000_0000), size: .base4K, flags: .userData, memory: &memory)
        try table.map(VirtualAddress(0x7fff_e000), to: PhysicalAddress(0x1000_1000), size: .base4K, flags: .userData, memory: &memory)
        #expect(table.tablePages == 4 && memory.allocatedFrames == before + 3)
        let (_, c1) = try table.unmap(VirtualAddress(0x7fff_f123), memory: &memory)
        #expect(c1.tables == 0)                  // the PT still holds the other page
        let old = try table.protect(VirtualAddress(0x7fff_e000), flags: [.read, .user])
        #expect(old.flags == .userData)
        #expect(walkSteps(&table, 0x7fff_e010, .store).0.fault == .protection)
        let (m, c2) = try table.unmap(VirtualAddress(0x7fff_e000), memory: &memory)
        #expect(m.physical == PhysicalAddress(0x1000_1000))
        #expect(c2.tables == 3)                  // PT, PMD and PUD freed; the root stays
        #expect(table.tablePages == 1 && memory.allocatedFrames == before)
        #expect(table.mapping(at: VirtualAddress(0x7fff_e000)) == nil)
        #expect(throws: MapError.notMapped(VirtualAddress(0x7fff_e000))) { try table.unmap(VirtualAddress(0x7fff_e000), memory: &memory) }
        // Freed tables are reused.
        try table.map(VirtualAddress(0x1000), to: PhysicalAddress(0x2000), size: .base4K, flags: .userData, memory: &memory)
        #expect(table.tablePages == 4 && memory.allocatedFrames == before + 3)
    }

    @Test func outOfMemoryLeavesNoEmptyTables() throws {
        // Room for the root and two more tables only.
        var memory = FrameAllocator(bytes: (0x100 + 3) << 12)
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        #expect(throws: MapError.outOfMemory) {
            try table.map(VirtualAddress(0x1000), to: PhysicalAddress(0x2000), size: .base4K, flags: .userData, memory: &memory)
        }
        #expect(table.tablePages == 1 && memory.allocatedFrames == 1)
        #expect(table.entry(at: VirtualAddress(0x1000), level: 0) == 0)
    }
}

@Suite("Frame allocator")
struct FrameAllocatorTests {
    @Test func blocksAreAlignedAndReused() {
        var m = FrameAllocator(bytes: 64 << 20)           // frames 0x100 ..< 0x4000
        #expect(m.allocate(order: 0) == FrameNumber(0x100))
        // A 2 MiB block must start at a multiple of 512 frames: 0x200; the frames 0x101..0x1ff
        // skipped by the alignment are freed as aligned blocks and serve later small requests.
        #expect(m.allocate(order: 9) == FrameNumber(0x200))
        #expect(m.allocate(order: 0) == FrameNumber(0x101))
        #expect(m.allocate(order: 1) == FrameNumber(0x102))
        #expect(m.allocatedFrames == 1 + 512 + 1 + 2)
        m.free(FrameNumber(0x200), order: 9)
        #expect(m.allocate(order: 9) == FrameNumber(0x200))
        // Splitting a free 2 MiB block for a single frame keeps its lowest frame.
        m.free(FrameNumber(0x200), order: 9)
        var small: [UInt64] = []
        while let f = m.allocate(order: 0), f.rawValue < 0x400, small.count < 300 { small.append(f.rawValue) }
        #expect(small.contains(0x200))
        #expect(Set(small).count == small.count)
    }

    @Test func exhaustionIsNil() {
        var m = FrameAllocator(bytes: (0x100 + 4) << 12)
        for _ in 0..<4 { #expect(m.allocate(order: 0) != nil) }
        #expect(m.allocate(order: 0) == nil)
        #expect(m.allocate(order: 9) == nil)
    }
}
