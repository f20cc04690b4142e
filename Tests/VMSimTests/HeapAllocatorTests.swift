import Testing
@testable import VMSim

/// Runs `ops` through a checked simulation of `policy`.
func simulate(_ policy: HeapPolicy, _ model: HeapModel = HeapModel(), _ ops: [HeapOp], checking: HeapChecking = .full) -> (HeapStats, FreeListAllocator) {
    var sim = HeapSimulation(allocator: FreeListAllocator(policy: policy, model: model), checking: checking)
    sim.run(ops)
    let stats = sim.finish()
    return (stats, sim.allocator)
}

/// The address of the block an id names in a finished simulation.
extension HeapSimulation {
    func address(ofID id: UInt64) -> UInt64? {
        let v = ids[id]
        guard v != HeapIDMap.absent, v & Self.tagMask == 0 else { return nil }
        return allocator.address(of: Int32(v))
    }
}

func freeList<A: HeapAllocator>(_ a: A) -> [[UInt64]] { a.freeBlocks().map { [$0.address, $0.size] } }

@Suite("Reference heap model: hand-worked examples")
struct HeapReferenceModelTests {
    // Alignment 8, no header, base 0. Six blocks, then every other one freed:
    //   A 32 [0,32)  B 8 [32,40)  C 16 [40,56)  D 8 [56,64)  E 24 [64,88)  F 8 [88,96)
    //   free A, C, E -> free list (address order) [0,32) [40,56) [64,88); heap 96.
    static let setup: [HeapOp] = [
        .alloc(1, 32), .alloc(2, 8), .alloc(3, 16), .alloc(4, 8), .alloc(5, 24), .alloc(6, 8),
        .free(1), .free(3), .free(5),
    ]

    func run(_ policy: HeapPolicy, _ extra: [HeapOp], model: HeapModel = HeapModel()) -> HeapSimulation<FreeListAllocator> {
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: policy, model: model), checking: .full)
        sim.run(Self.setup + extra)
        #expect(sim.finish().invariantViolation == nil)
        return sim
    }

    @Test func firstFitTakesTheLowestAddressThatFits() {
        // G 16: [0,32) is the first that fits -> G at 0, remainder [16,32); walk of 1.
        // H 8: [16,32) first -> H at 16; walk 1. K 16: [24,32) is 8, [40,56) fits -> 40; walk 2.
        let sim = run(.first, [.alloc(7, 16), .alloc(8, 8), .alloc(9, 16)])
        #expect(sim.address(ofID: 7) == 0)
        #expect(sim.address(ofID: 8) == 16)
        #expect(sim.address(ofID: 9) == 40)
        #expect(freeList(sim.allocator) == [[24, 8], [64, 24]])
        // Setup allocations searched an empty list (0 each), then 1, 1, 2.
        #expect(sim.allocator.searchCounters.searches == 9)
        #expect(sim.allocator.searchCounters.examined == 4)
        #expect(sim.allocator.heapSize == 96)
    }

    @Test func bestFitTakesTheSmallestThatFitsAndWalksTheWholeList() {
        // G 16: sizes 32, 16, 24 -> the 16 at 40, exact. H 8: 32 and 24 left -> 24 at 64,
        // remainder [72,88). Each walk examines the whole list: 3, then 2.
        let sim = run(.best, [.alloc(7, 16), .alloc(8, 8)])
        #expect(sim.address(ofID: 7) == 40)
        #expect(sim.address(ofID: 8) == 64)
        #expect(freeList(sim.allocator) == [[0, 32], [72, 16]])
        #expect(sim.allocator.searchCounters.examined == 5)
    }

    @Test func bestFitBreaksTiesByLowestAddress() {
        // Two free 16-byte blocks at 0 and 32 (B and D hold them apart): best takes 0.
        var s = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: HeapModel()), checking: .full)
        s.run([.alloc(1, 16), .alloc(2, 16), .alloc(3, 16), .alloc(4, 16), .free(3), .free(1), .alloc(5, 16)])
        #expect(s.address(ofID: 5) == 0)
    }

    @Test func worstFitTakesTheLargestLowestAddressOnTies() {
        // G 16: largest is the 32 at 0 -> G at 0, remainder [16,32). H 8: sizes 16, 16, 24 ->
        // the 24 at 64. I 16: 16, 16, 16 (at 16, 40, 72) -> the one at 16.
        let sim = run(.worst, [.alloc(7, 16), .alloc(8, 8), .alloc(9, 16)])
        #expect(sim.address(ofID: 7) == 0)
        #expect(sim.address(ofID: 8) == 64)
        #expect(sim.address(ofID: 9) == 16)
        #expect(freeList(sim.allocator) == [[40, 16], [72, 16]])
    }

    @Test func worstFitGrowsTheHeapWhenEvenTheLargestIsTooSmall() {
        // A 40-byte request: the largest free block is 32, F (allocated) is on top -> grows by 40.
        let sim = run(.worst, [.alloc(7, 40)])
        #expect(sim.address(ofID: 7) == 96)
        #expect(sim.allocator.heapSize == 136)
    }

    @Test func nextFitStartsAtTheEndOfThePreviousAllocationAndWraps() {
        // The rover is 96 (end of F): nothing at or after it, so G 16 wraps to [0,32) -> 0; the
        // walk starts past the end and examines 1. H 8: rover 16 -> [16,32) -> 16. I 16: rover 24
        // -> [24,32) too small, [40,56) -> 40 (walk 2). K 8: rover 56 -> [64,88) -> 64, though
        // [24,32) fits lower down (first fit would take 24).
        let sim = run(.next, [.alloc(7, 16), .alloc(8, 8), .alloc(9, 16), .alloc(10, 8)])
        #expect(sim.address(ofID: 7) == 0)
        #expect(sim.address(ofID: 8) == 16)
        #expect(sim.address(ofID: 9) == 40)
        #expect(sim.address(ofID: 10) == 64)
        #expect(freeList(sim.allocator) == [[24, 8], [72, 16]])
        #expect(sim.allocator.searchCounters.examined == 1 + 1 + 2 + 1)
    }

    @Test func growingIntoAFreeTopBlockAddsOnlyTheShortfall() {
        // A 16 [0,16), B 8 [16,24), free B: the top block [16,24) is free. C 24 does not fit:
        // the heap grows by 16 and C takes [16,40).
        for policy in [HeapPolicy.first, .next, .best, .worst, .segregated, .tlsf] {
            let (stats, heap) = simulate(policy, HeapModel(), [.alloc(1, 16), .alloc(2, 8), .free(2), .alloc(3, 24)])
            #expect(heap.heapSize == 40, "\(policy)")
            #expect(heap.freeBlocks().isEmpty, "\(policy)")
            #expect(stats.invariantViolation == nil)
        }
    }

    @Test func blocksAreRoundedToTheAlignmentPlusTheHeader() {
        let model = HeapModel(alignment: 16, header: 8)
        #expect(model.blockSize(forRequest: 0) == 24)
        #expect(model.blockSize(forRequest: 1) == 24)
        #expect(model.blockSize(forRequest: 16) == 24)
        #expect(model.blockSize(forRequest: 17) == 40)
        #expect(HeapModel(alignment: 1).blockSize(forRequest: 7) == 7)
        #expect(HeapModel(alignment: 12).blockSize(forRequest: 13) == 24)
        #expect(HeapModel().blockSize(forRequest: 1 << 60) == nil)
        // Two 20-byte requests under 16/8: blocks of 40 at 0 and 40; payload 40 of 80 bytes.
        let (stats, heap) = simulate(.first, model, [.alloc(1, 20), .alloc(2, 20)])
        #expect(heap.heapSize == 80)
        #expect(stats.peakPayload == 40)
        #expect(stats.peakUtilization == 0.5)
        #expect(stats.internalFragmentationAtExit == 40)
    }

    @Test func theHeapStartsAtTheBase() {
        let (_, heap) = simulate(.first, HeapModel(base: 0x1000), [.alloc(1, 8), .alloc(2, 8), .free(1)])
        #expect(freeList(heap) == [[0x1000, 8]])
        #expect(heap.heapSize == 16)
    }
}

@Suite("Reference heap model: coalescing modes")
struct HeapCoalescingTests {
    // First fit. A B C D of 16 bytes at 0, 16, 32, 48; free B and C; then E of 32.
    static let ops: [HeapOp] = [.alloc(1, 16), .alloc(2, 16), .alloc(3, 16), .alloc(4, 16), .free(2), .free(3)]

    @Test func immediateMergesOnEveryFree() {
        // B and C merge into [16,48) at once; E fits there; the heap stays 64.
        let (stats, heap) = simulate(.first, HeapModel(coalescing: .immediate), Self.ops + [.alloc(5, 32)])
        #expect(heap.heapSize == 64)
        #expect(heap.freeBlocks().isEmpty)
        #expect(stats.search.examined == 1)
    }

    @Test func deferredMergesOnlyWhenTheHeapWouldGrow() {
        // [16,32) and [32,48) stay apart; E fits neither (a walk of 2), so everything coalesces
        // and the search runs again (a walk of 1): E at 16, heap 64.
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: HeapModel(coalescing: .deferred)), checking: .full)
        sim.run(Self.ops)
        #expect(freeList(sim.allocator) == [[16, 16], [32, 16]])
        sim.run([.alloc(5, 32)])
        #expect(sim.address(ofID: 5) == 16)
        #expect(sim.allocator.heapSize == 64)
        #expect(sim.allocator.searchCounters.examined == 3)
        #expect(sim.finish().invariantViolation == nil)
    }

    @Test func noneNeverMerges() {
        // E fits neither 16-byte block and D (allocated) is on top: the heap grows by 32.
        let (_, heap) = simulate(.first, HeapModel(coalescing: .none), Self.ops + [.alloc(5, 32), .free(4)])
        #expect(heap.heapSize == 96)
        #expect(freeList(heap) == [[16, 16], [32, 16], [48, 16]])
    }

    @Test func immediateMergesBothNeighbours() {
        // Free B, D, then C: C merges with B below and D above: one block [16,64).
        let (_, heap) = simulate(.best, HeapModel(), [.alloc(1, 16), .alloc(2, 16), .alloc(3, 16), .alloc(4, 16),
                                                      .alloc(5, 8), .free(2), .free(4), .free(3)])
        #expect(freeList(heap) == [[16, 48]])
    }
}

@Suite("Reference heap model: realloc")
struct HeapReallocTests {
    @Test func shrinksInPlaceAndTheTailCoalesces() {
        // A 32 [0,32), B 16 [32,48), free B; realloc A to 8: A keeps [0,8); its tail [8,32)
        // merges with [32,48) into [8,48).
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: HeapModel()), checking: .full)
        sim.run([.alloc(1, 32), .alloc(2, 16), .free(2), .realloc(1, 8)])
        #expect(sim.address(ofID: 1) == 0)
        #expect(freeList(sim.allocator) == [[8, 40]])
    }

    @Test func growsInPlaceIntoAFreeNextBlock() {
        // A 16 [0,16), B 32 [16,48), C 8 [48,56); free B; realloc A to 24: A takes [0,24), the
        // leftover [24,48) stays free.
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: HeapModel()), checking: .full)
        sim.run([.alloc(1, 16), .alloc(2, 32), .alloc(3, 8), .free(2), .realloc(1, 24)])
        #expect(sim.address(ofID: 1) == 0)
        #expect(freeList(sim.allocator) == [[24, 24]])
        let stats = sim.finish()
        #expect(stats.allocs == 4)
        #expect(stats.frees == 2)
        #expect(stats.bytesAllocated == 16 + 32 + 8 + 24)
    }

    @Test func movesWhenItCannotGrowInPlace() {
        // A 16 [0,16), B 8 [16,24); realloc A to 32: the next block is allocated, so a new block
        // is allocated by the policy (the heap grows: [24,56)) and A's old block is freed.
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: HeapModel()), checking: .full)
        sim.run([.alloc(1, 16), .alloc(2, 8), .realloc(1, 32)])
        #expect(sim.address(ofID: 1) == 24)
        #expect(freeList(sim.allocator) == [[0, 16]])
        #expect(sim.allocator.heapSize == 56)
    }

    @Test func reallocToZeroFreesAndOfAnUnknownIDAllocates() {
        let (stats, heap) = simulate(.first, HeapModel(), [.realloc(1, 10), .alloc(2, 8), .realloc(1, 0)])
        #expect(stats.allocs == 2)
        #expect(stats.frees == 1)
        #expect(freeList(heap) == [[0, 16]])
        #expect(stats.diagnostics.isEmpty)
    }
}

@Suite("Heap diagnostics and leaks")
struct HeapDiagnosticTests {
    @Test func reportsDoubleAndInvalidFreesAndGoesOn() {
        let ops: [HeapOp] = [.alloc(1, 8, line: 5), .free(1, line: 6), .free(1, line: 7), .free(9, line: 8),
                             .realloc(1, 16, line: 9), .alloc(2, 100, line: 10)]
        let (stats, _) = simulate(.best, HeapModel(), ops)
        #expect(stats.doubleFrees == 1)
        #expect(stats.invalidFrees == 1)
        #expect(stats.count(.reallocOfFreed) == 1)
        #expect(stats.diagnostics.map(\.kind) == [.doubleFree, .invalidFree, .reallocOfFreed])
        #expect(stats.diagnostics[0].line == 7 && stats.diagnostics[0].earlierLine == 6)
        #expect(stats.diagnostics[1].line == 8 && stats.diagnostics[1].id == 9)
        // The run went on: the realloc of a freed id allocated afresh, and id 2 too.
        #expect(stats.inUseAtExitBlocks == 2)
        #expect(stats.inUseAtExitBytes == 116)
        // memcheck counts the double and invalid frees as frees, and the realloc of a non-null
        // (if stale) pointer as one more.
        #expect(stats.frees == 4)
    }

    @Test func heapLimitFailuresAreReportedAndTheIDActsAsNull() {
        let ops: [HeapOp] = [.alloc(1, 64, line: 1), .alloc(2, 64, line: 2), .free(2, line: 3), .alloc(3, 32, line: 4)]
        let (stats, heap) = simulate(.first, HeapModel(heapLimit: 100), ops)
        #expect(stats.count(.heapLimit) == 1)
        #expect(stats.diagnostics.first?.line == 2)
        #expect(stats.invalidFrees == 0)
        #expect(heap.heapSize == 96)
        let (huge, _) = simulate(.first, HeapModel(), [.alloc(1, UInt64.max, line: 3)])
        #expect(huge.count(.tooLarge) == 1)
    }

    @Test func leaksListTheLargestBlocksWithTheirLines() {
        let ops: [HeapOp] = [.alloc(1, 10, line: 1), .alloc(2, 300, line: 2), .alloc(3, 20, line: 3),
                             .alloc(4, 300, line: 4), .free(3, line: 5)]
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: HeapModel()))
        sim.leakLimit = 2
        sim.run(ops)
        let stats = sim.finish()
        #expect(stats.inUseAtExitBlocks == 3)
        #expect(stats.inUseAtExitBytes == 610)
        #expect(stats.leaks == [HeapLeak(id: 2, size: 300, line: 2), HeapLeak(id: 4, size: 300, line: 4)])
    }
}

@Suite("Heap allocators against the naive reference model")
struct HeapNaiveCrossCheckTests {
    static let policies: [HeapPolicy] = [.first, .next, .best, .worst, .segregated]

    /// Random traces of allocations, frees and reallocs; after every operation the fast allocator
    /// and the naive model agree on the address, the heap size, the free list and the walk lengths.
    @Test(arguments: policies)
    func agreesOnRandomTraces(policy: HeapPolicy) {
        var rng = SimRandom(seed: 11)
        for order in FreeListOrder.allCases {
            for coalescing in Coalescing.allCases {
                let model = HeapModel(alignment: [1, 8, 16][Int(rng.below(3))], header: [0, 8][Int(rng.below(2))],
                                      coalescing: coalescing, order: order, heapLimit: rng.below(4) == 0 ? 6000 : nil,
                                      initialHeap: rng.below(3) == 0 ? 1000 : 0)
                compare(policy: policy, model: model, steps: 400, rng: &rng)
            }
        }
    }

    func compare(policy: HeapPolicy, model: HeapModel, steps: Int, rng: inout SimRandom) {
        var fast = FreeListAllocator(policy: policy, model: model)
        fast.recordTouches(true)
        var naive = NaiveHeap(policy: policy, model: model)
        var live: [(handle: Int32, address: UInt64)] = []
        for step in 0..<steps {
            let r = rng.below(10)
            if r < 5 || live.isEmpty {
                let n = rng.below(8) == 0 ? rng.below(900) : rng.below(100)
                let h = fast.allocate(n)
                let a = naive.allocate(n)
                #expect((h >= 0 ? fast.address(of: h) : nil) == a, "\(policy) \(model) step \(step): allocate \(n)")
                if h >= 0 { live.append((h, a!)) }
            } else if r < 8 {
                let i = Int(rng.below(UInt64(live.count)))
                fast.free(live[i].handle)
                naive.free(live[i].address)
                live.remove(at: i)
            } else {
                let i = Int(rng.below(UInt64(live.count)))
                let n = rng.below(300)
                let h = fast.reallocate(live[i].handle, to: n)
                let a = naive.reallocate(live[i].address, n)
                #expect((h >= 0 ? fast.address(of: h) : nil) == a, "\(policy) \(model) step \(step): realloc to \(n)")
                if h >= 0 { live[i] = (h, a!) }
            }
            #expect(fast.heapSize == naive.heapSize)
            #expect(fast.freeBlocks().map { [$0.address, $0.size] } == naive.freeList.map { [$0.address, $0.size] },
                    "\(policy) \(model) step \(step)")
            #expect(fast.searchCounters.examined == UInt64(naive.searches.reduce(0, +)), "\(policy) \(model) step \(step): walks")
            #expect(fast.checkTouched() == nil)
            if fast.heapSize != naive.heapSize { return }
        }
        #expect(fast.checkAll() == nil)
    }
}

@Suite("Free block tree")
struct FreeBlockTreeTests {
    @Test func agreesWithASortedArray() {
        var rng = SimRandom(seed: 5)
        var tree = FreeBlockTree()
        var reference: [(key: TreeKey, size: UInt64, block: Int32)] = []
        var freeSlots = Array(Int32(0)..<Int32(300))
        for _ in 0..<4000 {
            if rng.below(2) == 0 && !freeSlots.isEmpty {
                let b = freeSlots.removeLast()
                var key: TreeKey
                repeat { key = TreeKey(rng.below(50), rng.below(50)) } while reference.contains { $0.key == key }
                let size = rng.below(100) + 1
                tree.insert(b, key: key, size: size)
                reference.append((key, size, b))
            } else if !reference.isEmpty {
                let i = Int(rng.below(UInt64(reference.count)))
                tree.remove(reference[i].block)
                freeSlots.append(reference[i].block)
                reference.remove(at: i)
            }
            reference.sort { $0.key < $1.key }
            let probe = TreeKey(rng.below(52), rng.below(52)), size = rng.below(110) + 1
            #expect(tree.count == reference.count)
            #expect(tree.largest == (reference.map(\.size).max() ?? 0))
            #expect(tree.firstFit(minSize: size) == (reference.first { $0.size >= size }?.block ?? -1))
            #expect(tree.firstFit(from: probe, minSize: size) == (reference.first { !($0.key < probe) && $0.size >= size }?.block ?? -1))
            #expect(tree.lowerBound(probe) == (reference.first { !($0.key < probe) }?.block ?? -1))
            #expect(tree.lastBelow(probe) == (reference.last { $0.key < probe }?.block ?? -1))
            #expect(tree.countLess(probe) == reference.filter { $0.key < probe }.count)
        }
        #expect(tree.validate() == nil)
    }
}

@Suite("TLSF")
struct TLSFTests {
    @Test func mapsSizesToTwoLevels() {
        // Below 256: linear lists of 8 bytes. 256..511: first level 1, 32 lists of 8 bytes;
        // 1024..2047: first level 3, lists of 32 bytes.
        #expect(TLSFIndex.mapping(8) == (0, 1))
        #expect(TLSFIndex.mapping(255) == (0, 31))
        #expect(TLSFIndex.mapping(256) == (1, 0))
        #expect(TLSFIndex.mapping(264) == (1, 1))
        #expect(TLSFIndex.mapping(1024) == (3, 0))
        #expect(TLSFIndex.mapping(1024 + 32) == (3, 1))
    }

    @Test func findsAListWhoseEveryBlockFits() {
        // Free blocks of 1040 and 1100 bytes (lists (3,0) and (3,2)). A 1030-byte request rounds
        // up to 1061, list (3,1): empty, so the next non-empty list, (3,2), gives 1100 though 1040
        // would fit: TLSF trades the exact fit for O(1).
        let ops: [HeapOp] = [.alloc(1, 1040), .alloc(2, 8), .alloc(3, 1100), .alloc(4, 8), .free(1), .free(3), .alloc(5, 1030)]
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .tlsf, model: HeapModel(alignment: 1)), checking: .full)
        sim.run(ops)
        #expect(sim.address(ofID: 5) == 1048)
        #expect(sim.finish().invariantViolation == nil)
    }
}

@Suite("Buddy heap")
struct BuddyHeapTests {
    @Test func splitsAndMergesBuddies() {
        // 100 bytes -> order 7 (128) at 0; heap 128. 20 bytes -> 32: nothing free, the heap grows:
        // the top (128) is 32-aligned, so [128,160). 60 -> 64: top 160 is not 64-aligned: [160,192)
        // becomes a free 32 block, then [192,256). Free the 20: [128,160) merges with [160,192)
        // into a free 64 at 128, which cannot merge with [192,256) (allocated).
        var sim = HeapSimulation(allocator: BuddyHeap(model: HeapModel()), checking: .full)
        sim.run([.alloc(1, 100), .alloc(2, 20), .alloc(3, 60)])
        #expect(sim.address(ofID: 2) == 128)
        #expect(sim.address(ofID: 3) == 192)
        #expect(sim.allocator.freeBlocks().map { [$0.address, $0.size] } == [[160, 32]])
        sim.run([.free(2)])
        #expect(sim.allocator.freeBlocks().map { [$0.address, $0.size] } == [[128, 64]])
        sim.run([.free(3), .free(1)])
        #expect(sim.allocator.freeBlocks().map { [$0.address, $0.size] } == [[0, 256]])
        // A 40-byte request now splits 256 -> 128 + 64 + (64 taken): expand puts the upper halves
        // on their lists.
        sim.run([.alloc(4, 40)])
        #expect(sim.address(ofID: 4) == 0)
        #expect(sim.allocator.freeBlocks().map { [$0.address, $0.size] } == [[64, 64], [128, 128]])
        let stats = sim.finish()
        #expect(stats.invariantViolation == nil)
        #expect(stats.internalFragmentationAtExit == 24)
    }
}

@Suite("HeapRun")
struct HeapRunTests {
    /// Random allocations, frees and reallocs (some of them double or invalid frees).
    static func randomOps(_ n: Int, seed: UInt64) -> [HeapOp] {
        var rng = SimRandom(seed: seed)
        var ops: [HeapOp] = []
        var next: UInt64 = 0
        for line in 1...n {
            switch rng.below(10) {
            case 0..<5:
                ops.append(.alloc(next, rng.below(2000), line: line))
                next += 1
            case 5..<9:
                ops.append(.free(rng.below(next + 2), line: line))
            default:
                ops.append(.realloc(rng.below(next + 1), rng.below(3000), line: line))
            }
        }
        return ops
    }

    /// Batches fed to several simulators in parallel give the results of separate sequential runs.
    @Test func parallelEqualsSequential() {
        let ops = Self.randomOps(20_000, seed: 9)
        let policies = HeapPolicy.allCases
        let model = HeapModel(alignment: 16, header: 8, coalescing: .deferred, order: .lifo)
        let parallel = HeapRun(policies: policies, model: model, checking: .incremental, parallelism: 4)
        let sequential = HeapRun(policies: policies, model: model, parallelism: 1)
        ops.withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: all.count, by: 1000) {
                let batch = UnsafeBufferPointer(rebasing: all[start..<min(start + 1000, all.count)])
                parallel.feed(batch)
                sequential.feed(batch)
            }
        }
        for (p, s) in zip(parallel.results, sequential.results) {
            var a = p.stats, b = s.stats
            a.invariantViolation = nil
            b.invariantViolation = nil
            #expect(a == b, "\(p.policy)")
            #expect(p.stats.invariantViolation == nil, "\(p.policy): \(p.stats.invariantViolation ?? "")")
            #expect(p.stats.ops == 20_000)
        }
        // The simulators differ in placement, not in what the trace did.
        let counts = Set(parallel.results.map { [$0.stats.allocs, $0.stats.frees, $0.stats.doubleFrees, $0.stats.inUseAtExitBytes] })
        #expect(counts.count == 1)
    }
}
