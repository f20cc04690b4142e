import Testing
@testable import VMSim

/// `LRUVector`, the one `struct lruvec` of the trace policies and the kernel: the two-list lists
/// and the generation window, with page counts and invariants.
@Suite("LRU vector")
struct LRUVectorTests {
    @Test func classicListsCountPagesOfHugeFolios() {
        var lru = LRUVector(frames: 4)
        lru.add(1, to: .inactiveAnon, order: 9)
        lru.add(2, to: .inactiveAnon)
        #expect(lru.count(.inactiveAnon) == 2 && lru.pages(.inactiveAnon) == 513)
        lru.move(1, to: .activeAnon)
        #expect(lru.pages(.activeAnon) == 512 && lru.pages(.inactiveAnon) == 1)
        lru.remove(1)
        #expect(lru.totalPages == 1)
        #expect(lru.checkInvariants() == [])
    }

    /// The window of lru_gen_init_lruvec (min_seq 0, max_seq 3); slots are seq % 4, so a frame's
    /// sequence number is found again after the window slides; the two youngest count as active.
    @Test func generationsSlideAndKeepTheirSequenceNumbers() {
        var lru = LRUVector(frames: 8)
        #expect(lru.generations(.anon) == 4 && lru.generations(.file) == 4)
        lru.add(0, generation: 0, type: .anon)
        lru.add(1, generation: 2, type: .anon)
        lru.add(2, generation: 3, type: .file, order: 9)
        #expect(lru.isActive(seq: 2) && lru.isActive(seq: 3) && !lru.isActive(seq: 1))
        #expect(lru.pages(.anon, active: true) == 1 && lru.pages(.anon, active: false) == 1 && lru.pages(.file, active: true) == 512)
        // inc_max_seq with four generations: inc_min_seq first moves generation 0's frames into 1.
        #expect(lru.incMinSeq(.anon, moving: true) == [0])
        lru.setMinSeq(.file, 1)
        lru.incMaxSeq()
        #expect(lru.maxSeq == 4 && lru.minSeq(.anon) == 1)
        #expect(lru.seq(of: 0) == 1 && lru.seq(of: 1) == 2 && lru.seq(of: 2) == 3)
        lru.move(0, toGeneration: 4)
        #expect(lru.generation(of: 0)! == (4, .anon))   // slot 0 again, now the youngest
        #expect(!lru.isActive(seq: 2))
        #expect(lru.checkInvariants() == [])
    }

    /// A frame left in a slot outside the window, or a count that disagrees, is caught.
    @Test func brokenWindowsAreCaught() {
        var lru = LRUVector(frames: 4)
        lru.add(0, generation: 0, type: .anon)
        lru.incMinSeq(.anon, moving: false)          // the frame stays in slot 0, now outside [1, 3]
        lru.setMinSeq(.file, 1)
        #expect(lru.checkInvariants().contains { $0.contains("outside the window") })
        var counted = LRUVector(frames: 4)
        counted.add(1, to: .inactiveFile)
        counted.listPages[LRUVector.List.inactiveFile.rawValue] = 7
        #expect(counted.checkInvariants().contains { $0.contains("counts 7 pages but holds 1") })
    }
}
