import Testing
@testable import VMSim

@Suite("Segmentation")
struct SegmentationTests {
    // OSTEP ch. 15's example: base 16 KiB, bounds 4 KiB. VA 0 -> 16384; VA 3000 -> 19384;
    // VA 4400 is beyond the 4 KiB bound: a violation (a result, not an error).
    @Test func baseAndBoundsRelocatesAndRefuses() {
        let r = BaseAndBounds(base: 16384, bounds: 4096)
        #expect(r.translate(0) == .address(16384))
        #expect(r.translate(3000) == .address(19384))
        #expect(r.translate(4095) == .address(20479))
        #expect(r.translate(4096) == .violation(.beyondLimit))
        #expect(r.translate(4400) == .violation(.beyondLimit))
    }

    // OSTEP ch. 16's address space: 14-bit addresses, the top 2 bits select the segment.
    // Code (segment 0) at base 32K, 2K long; heap (segment 1) at base 34K, 3K long; stack
    // (segment 3) grows down, 2K long, ending at 28K. In x86 expand-down terms with 12-bit
    // offsets (upper bound 4095): valid offsets are 4096 - 2048 = 2048 ... 4095, so limit = 2047,
    // and base = 28K - 4096 puts offset 4095 just below 28K.
    // Stack VA 15K = 0x3C00: segment 3, offset 0xC00 = 3072 -> 28K - 4096 + 3072 = 27K (OSTEP: 27K).
    @Test func segmentTableChecksLimitsProtectionAndGrowDown() {
        let code = Segment(base: 32 << 10, limit: 2047, writable: false, executable: true)
        let heap = Segment(base: 34 << 10, limit: 3071)
        let unused = Segment(base: 0, limit: 0, present: false)
        let stack = Segment(base: (28 << 10) - 4096, limit: 2047, growsDown: true, upperBound: 4095)
        let t = SegmentTable(segments: [code, heap, unused, stack], offsetBits: 12, selectorBits: 2)
        #expect(t.translate(address: 100, kind: .instruction) == .address(32 * 1024 + 100))
        #expect(t.translate(address: 100, kind: .store) == .violation(.protection))
        #expect(t.translate(address: 0x1000 + 3071, kind: .store) == .address(34 * 1024 + 3071))
        #expect(t.translate(address: 0x1000 + 3072, kind: .load) == .violation(.beyondLimit))
        #expect(t.translate(address: 0x3C00, kind: .store) == .address(27 * 1024))
        #expect(t.translate(address: 0x3000 + 2047, kind: .load) == .violation(.belowLimit))
        #expect(t.translate(address: 0x3000 + 2048, kind: .load) == .address((28 << 10) - 2048))
        #expect(t.translate(address: 0x2000, kind: .load) == .violation(.notPresent))
        #expect(t.translate(address: 0x4000, kind: .load) == .violation(.noSegment))
        #expect(t.translate(segment: 7, offset: 0, kind: .load) == .violation(.noSegment))
    }

    @Test func segmentationSitsInFrontOfPaging() throws {
        var mmu = try MMU<RadixPageTable>(format: .x86_32, memory: FrameAllocator(bytes: 1 << 28))
        try mmu.map(VirtualAddress(0x0040_1000), to: PhysicalAddress(0x0090_0000), size: .base4K, flags: .userData)
        // A data segment based at 0x0040_0000 with a 64 KiB limit: offset 0x1234 -> linear 0x0040_1234.
        let data = Segment(base: 0x0040_0000, limit: 0xFFFF)
        var s = SegmentedMMU(segments: SegmentTable(segments: [data]), mmu: mmu)
        #expect(s.translate(segment: 0, offset: 0x1234, AccessIntent(.load)) == .physical(0x0090_0234))
        #expect(s.translate(segment: 0, offset: 0x1_0000, AccessIntent(.load)) == .segmentViolation(.beyondLimit))
        #expect(s.translate(segment: 0, offset: 0x2000, AccessIntent(.load)) == .pageFault(.notPresent, linear: 0x0040_2000))
        #expect(s.segmentViolations == 1)
        #expect(s.mmu.stats.translations == 2)   // the violation never reached paging
    }
}
