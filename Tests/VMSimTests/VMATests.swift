import Testing
import VMSim

/// VMAs split and merge as mm/vma.c does; the scenarios follow tools/testing/vma/vma.c
/// (test_simple_merge, test_simple_modify, test_simple_shrink) with its addresses.
@Suite("VMAs (mm/vma.c, mm/mmap.c)")
struct VMATests {
    let rw = VMAFlags.mmap(.readWrite, shared: false)
    func ranges(_ t: VMATree) -> [[UInt64]] { t.vmas.map { [$0.start, $0.end, $0.pgoff] } }

    @Test func aNewRangeBetweenTwoCompatibleVMAsMergesAllThree() throws {
        // test_simple_merge: [0, 0x1000) pgoff 0 and [0x2000, 0x3000) pgoff 2, then [0x1000, 0x2000)
        // pgoff 1: one VMA [0, 0x3000) with pgoff 0.
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0)
        try t.mmap(at: 0, length: 0x1000, flags: rw)
        try t.mmap(at: 0x2000, length: 0x1000, flags: rw)
        #expect(ranges(t) == [[0, 0x1000, 0], [0x2000, 0x3000, 2]])
        try t.mmap(at: 0x1000, length: 0x1000, flags: rw)
        #expect(ranges(t) == [[0, 0x3000, 0]])
        #expect(t.checkInvariants() == [])
    }

    @Test func changingTheMiddleSplitsIntoThreeAndChangingItBackMerges() throws {
        // test_simple_modify: [0, 0x3000) pgoff 0; new flags on [0x1000, 0x2000) give
        // [0, 0x1000) pgoff 0, [0x1000, 0x2000) pgoff 1, [0x2000, 0x3000) pgoff 2.
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0)
        try t.mmap(at: 0, length: 0x3000, flags: rw)
        try t.mprotect(0x1000, length: 0x1000, to: .read)
        #expect(ranges(t) == [[0, 0x1000, 0], [0x1000, 0x2000, 1], [0x2000, 0x3000, 2]])
        #expect(t.vmas.map(\.flags.mapsPerms) == ["rw-p", "r--p", "rw-p"])
        try t.mprotect(0x1000, length: 0x1000, to: .readWrite)
        #expect(ranges(t) == [[0, 0x3000, 0]])
    }

    @Test func unmappingSplitsAndRemoves() throws {
        // test_simple_shrink-like: [0, 0x3000), munmap [0x1000, 0x2000) leaves two VMAs with
        // their offsets; munmap of the first page of the second leaves it shorter.
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0)
        try t.mmap(at: 0, length: 0x3000, flags: rw)
        let removed = try t.munmap(0x1000, length: 0x1000)
        #expect(removed.map { [$0.start, $0.end] } == [[0x1000, 0x2000]])
        #expect(ranges(t) == [[0, 0x1000, 0], [0x2000, 0x3000, 2]])
        try t.munmap(0, length: 0x3000)
        #expect(t.count == 0)
        #expect(t.lookup(0x2000) == nil)
    }

    @Test func placementIsTopDownFromMmapBaseAndAdjacentMappingsMerge() throws {
        let base: UInt64 = 0x7f12_3456_7000
        var t = VMATree(mmapBase: base)
        let a = try t.mmap(length: 0x4000, flags: rw)
        #expect(a == base - 0x4000)
        let b = try t.mmap(length: 0x1000, flags: rw)
        #expect(b == a - 0x1000)
        #expect(t.count == 1)   // the second lies right below the first: one anonymous VMA
        let c = try t.mmap(length: 0x1000, flags: VMAFlags.mmap(.read, shared: false))
        #expect(c == b - 0x1000 && t.count == 2)   // different protection: its own VMA
        // 2M or more of anonymous memory starts on a 2M boundary (Linux 6.7+).
        let huge = try t.mmap(length: 4 << 20, flags: rw)
        #expect(huge % (2 << 20) == 0 && huge + (4 << 20) <= c)
        #expect(t.checkInvariants() == [])
    }

    @Test func filesMergeOnlyWhenTheirPagesLineUp() throws {
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0)
        try t.mmap(at: 0x10000, length: 0x2000, flags: .mmap(.read, shared: false), file: 1, pgoff: 0, name: "data")
        try t.mmap(at: 0x12000, length: 0x1000, flags: .mmap(.read, shared: false), file: 1, pgoff: 5, name: "data")
        #expect(t.count == 2)   // page 5 does not follow pages 0-1
        try t.mmap(at: 0x13000, length: 0x1000, flags: .mmap(.read, shared: false), file: 1, pgoff: 6, name: "data")
        #expect(t.count == 2 && t.vmas[1].end == 0x14000)
    }

    @Test func maxMapCountIsEnforced() throws {
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0, maxMapCount: 3)
        try t.mmap(at: 0, length: 0x5000, flags: rw)
        try t.mprotect(0x1000, length: 0x1000, to: .read)     // 3 VMAs
        #expect(throws: VMAError.self) { try t.mprotect(0x3000, length: 0x1000, to: .read) }
        #expect(t.count == 3)
        #expect(throws: VMAError.self) { try t.mmap(at: 0x10000, length: 0x1000, flags: VMAFlags.mmap(.exec, shared: false)) }
    }

    @Test func mprotectOfAHoleIsENOMEMAndBadRangesAreEINVAL() throws {
        var t = VMATree(mmapBase: 0x7f00_0000_0000, minAddress: 0)
        try t.mmap(at: 0, length: 0x1000, flags: rw)
        try t.mmap(at: 0x2000, length: 0x1000, flags: rw)
        #expect(throws: VMAError.noMemory("0x1000 is not mapped")) { try t.mprotect(0, length: 0x3000, to: .read) }
        #expect(ranges(t) == [[0, 0x1000, 0], [0x2000, 0x3000, 2]])   // nothing changed
        #expect(throws: VMAError.self) { try t.munmap(0x123, length: 0x1000) }
        #expect(throws: VMAError.self) { try t.mmap(at: 0x1000, length: 0, flags: rw) }
    }

    @Test func randomOperationsKeepTheInvariantsAndMatchAPageByPageModel() throws {
        // A model that knows only each page's flags: the tree must give every page the same flags,
        // and no two neighbouring VMAs may be left mergeable.
        var t = VMATree(mmapBase: 0x100_0000, minAddress: 0)
        var pages = [VMAFlags?](repeating: nil, count: 64)
        var rng = SimRandom(seed: 11)
        let choices: [VMAFlags] = [.mmap(.readWrite, shared: false), .mmap(.read, shared: false), .mmap([.read, .exec], shared: false)]
        for _ in 0..<2000 {
            let first = Int(rng.below(60)), n = Int(rng.below(4)) + 1
            let start = UInt64(first) << 12, length = UInt64(n) << 12
            let flags = choices[Int(rng.below(3))]
            switch rng.below(3) {
            case 0:
                try t.mmap(at: start, length: length, flags: flags)
                for p in first..<(first + n) { pages[p] = flags }
            case 1:
                try t.munmap(start, length: length)
                for p in first..<(first + n) { pages[p] = nil }
            default:
                if (first..<(first + n)).allSatisfy({ pages[$0] != nil }) {
                    try t.mprotect(start, length: length, to: flags.intersection(.protection))
                    for p in first..<(first + n) { pages[p] = flags }
                } else {
                    #expect(throws: VMAError.self) { try t.mprotect(start, length: length, to: .read) }
                }
            }
            #expect(t.checkInvariants() == [])
            for p in pages.indices { #expect(t.lookup(UInt64(p) << 12)?.flags == pages[p], "page \(p)") }
            for i in t.vmas.indices.dropFirst() { #expect(!t.vmas[i - 1].canMerge(with: t.vmas[i]), "\(t.vmas[i - 1]) \(t.vmas[i])") }
        }
    }
}
