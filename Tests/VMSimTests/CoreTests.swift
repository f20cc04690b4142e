import Testing
@testable import VMSim

@Suite("ByteSize and PageSize")
struct ByteSizeTests {
    @Test func parsesPlainAndSuffixedSizes() {
        #expect(ByteSize.parse("4096") == 4096)
        #expect(ByteSize.parse("4K") == 4096)
        #expect(ByteSize.parse("4k") == 4096)
        #expect(ByteSize.parse("4KB") == 4096)
        #expect(ByteSize.parse("4KiB") == 4096)
        #expect(ByteSize.parse("2M") == 2 << 20)
        #expect(ByteSize.parse("1G") == 1 << 30)
        #expect(ByteSize.parse("256M") == 256 << 20)
        #expect(ByteSize.parse("0x1000") == 4096)
        #expect(ByteSize.parse(" 16 ") == 16)
    }

    @Test func rejectsGarbageAndOverflow() {
        #expect(ByteSize.parse("") == nil)
        #expect(ByteSize.parse("K") == nil)
        #expect(ByteSize.parse("-4K") == nil)
        #expect(ByteSize.parse("4Q") == nil)
        #expect(ByteSize.parse("1.5M") == nil)
        #expect(ByteSize.parse("99999999999999999999") == nil)
        #expect(ByteSize.parse("17179869184G") == nil) // 2^34 GiB = 2^64 bytes
    }

    @Test func formatsWithTheLargestExactUnit() {
        #expect(ByteSize.format(4096) == "4K")
        #expect(ByteSize.format(2 << 20) == "2M")
        #expect(ByteSize.format(1536) == "1536")
        #expect(ByteSize.format(0) == "0")
    }

    @Test func pageSizesArePowersOfTwo() {
        #expect(PageSize(parsing: "4K")?.shift == 12)
        #expect(PageSize(parsing: "2M")?.shift == 21)
        #expect(PageSize(parsing: "4096")?.bytes == 4096)
        #expect(PageSize(parsing: "3000") == nil)
        #expect(PageSize(parsing: "0") == nil)
        let p = PageSize.base4K
        #expect(p.pageNumber(of: 0x1234_5678) == 0x12345)
        #expect(p.offset(of: 0x1234_5678) == 0x678)
    }
}

@Suite("SimRandom")
struct SimRandomTests {
    // Reference outputs of SplitMix64-seeded xoshiro256** computed from the published algorithms
    // (Blackman & Vigna) in an independent implementation; SplitMix64(0)'s first output
    // 0xe220a8397b1dcdaf is the well-known reference value.
    @Test(arguments: [
        (UInt64(0), [UInt64(0x99ec5f36cb75f2b4), 0xbf6e1f784956452a, 0x1a5f849d4933e6e0]),
        (UInt64(1), [UInt64(0xb3f2af6d0fc710c5), 0x853b559647364cea, 0x92f89756082a4514]),
        (UInt64(42), [UInt64(0x15780b2e0c2ec716), 0x6104d9866d113a7e, 0xae17533239e499a1]),
    ])
    func matchesTheReferenceSequence(seed: UInt64, expected: [UInt64]) {
        var rng = SimRandom(seed: seed)
        #expect((0..<3).map { _ in rng.next() } == expected)
    }

    @Test func belowStaysInRangeAndCoversIt() {
        var rng = SimRandom(seed: 7)
        var seen = Set<UInt64>()
        for _ in 0..<10_000 {
            let v = rng.below(10)
            #expect(v < 10)
            seen.insert(v)
        }
        #expect(seen.count == 10)
    }
}

@Suite("PageMap")
struct PageMapTests {
    @Test func agreesWithDictionaryUnderRandomInsertsAndRemoves() {
        var rng = SimRandom(seed: 3)
        var map = PageMap<Int32>(expectedCount: 4)
        var reference: [UInt64: Int32] = [:]
        for step in 0..<200_000 {
            // A small key space forces collisions, long probe runs and wrap-around deletions.
            let key = rng.below(3000) &* 4096
            if let v = reference[key] {
                #expect(map.find(key) == v)
                if rng.below(2) == 0 {
                    #expect(map.remove(key) == v)
                    reference[key] = nil
                } else {
                    map.update(key, Int32(step % 1000))
                    reference[key] = Int32(step % 1000)
                }
            } else {
                #expect(map[key] == nil)
                map.insert(key, Int32(step % 1000))
                reference[key] = Int32(step % 1000)
            }
            #expect(map.count == reference.count)
        }
        for (k, v) in reference { #expect(map[k] == v) }
    }

    @Test func holdsExtremeKeys() {
        var map = PageMap<UInt32>()
        map.insert(0, 1)
        map.insert(.max, 2)
        #expect(map[0] == 1)
        #expect(map[.max] == 2)
        #expect(map.remove(0) == 1)
        #expect(map[.max] == 2)
        #expect(map[0] == nil)
    }
}
