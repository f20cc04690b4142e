import Testing
@testable import VMSim

/// The one invariant convention (`InvariantChecking`) over every structure that has it: random
/// operations keep the invariants, and a deliberately broken structure is caught.
@Suite("Invariant convention")
struct InvariantConventionTests {
    func contract<P: ReplacementPolicy>(_ policy: P, _ pages: [UInt64]) -> [String] {
        var checked = PolicyContract(policy)
        var accesses = pages.map { PageAccess(page: $0) }
        NextUseIndex.annotate(&accesses, startingAt: 0)
        for a in accesses { _ = checked.reference(a.page, nextUse: a.nextUse) }
        return checked.checkInvariants()
    }

    @Test(arguments: [1, 3, 17, 64])
    func everyPolicyKeepsTheSlotContract(frames: Int) {
        let pages = lcgTrace(seed: UInt64(frames), count: 20_000, span: 300)
        let results: [(String, [String])] = [
            ("fifo", contract(FIFOPolicy(frames: frames), pages)), ("lru", contract(LRUPolicy(frames: frames), pages)),
            ("mru", contract(MRUPolicy(frames: frames), pages)), ("random", contract(RandomPolicy(frames: frames, seed: 1), pages)),
            ("clock", contract(ClockPolicy(frames: frames), pages)), ("clock:3", contract(ClockPolicy(frames: frames, bits: 3), pages)),
            ("opt", contract(OPTPolicy(frames: frames), pages)), ("arc", contract(ARCPolicy(frames: frames), pages)),
            ("car", contract(CARPolicy(frames: frames), pages)), ("2q", contract(TwoQPolicy(frames: frames), pages)),
            ("lirs", contract(LIRSPolicy(frames: frames), pages)), ("clock-pro", contract(ClockProPolicy(frames: frames), pages)),
            ("lfu", contract(LFUPolicy(frames: frames), pages)), ("lru-k", contract(LRUKPolicy(frames: frames), pages)),
            ("s3-fifo", contract(S3FIFOPolicy(frames: frames), pages)), ("sieve", contract(SIEVEPolicy(frames: frames), pages)),
            ("wsclock", contract(WSClockPolicy(frames: frames, window: 50), pages)),
            ("nru", contract(NRUPolicy(frames: frames, seed: 2), pages)), ("aging", contract(AgingPolicy(frames: frames), pages)),
            ("linux-2list", contract(Linux2ListPolicy(frames: frames), pages)), ("mglru", contract(MGLRUPolicy(frames: frames), pages)),
        ]
        #expect(results.count == PolicyKind.allCases.count + 1)
        for (name, problems) in results { #expect(problems.isEmpty, "\(name) at \(frames) frames: \(problems)") }
    }

    /// A policy that breaks the contract (it reports a fill into a slot already taken) is caught.
    struct BrokenFill: ReplacementPolicy {
        let frames: Int
        var seen: Set<UInt64> = []
        mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
            if seen.contains(page) { return .hit(0) }
            seen.insert(page)
            return .fill(0)
        }
    }

    @Test func aPolicyThatBreaksTheContractIsCaught() {
        let problems = contract(BrokenFill(frames: 4), [1, 2, 1])
        // Page 2's fill claims slot 0 again; page 1's hit then names slot 0, which the contract
        // gave to page 1 first: the second fill is the breach.
        #expect(problems == ["reference 2: a fill into slot 0, not the next empty one (1)"])
    }

    @Test func radixPageTablesKeepTheirTree() throws {
        var memory = FrameAllocator(bytes: 256 << 20)
        var table = try RadixPageTable(format: .x86_64, memory: &memory)
        var rng = SimRandom(seed: 5)
        var mapped: [UInt64] = []
        for step in 0..<3000 {
            if mapped.isEmpty || rng.below(3) != 0 {
                let va = (rng.below(1 << 20) << 12) | (rng.below(4) << 39)
                let pa = rng.below(1 << 16) << 12
                if (try? table.map(VirtualAddress(va), to: PhysicalAddress(pa), size: .base4K, flags: [.read, .write, .user], memory: &memory)) != nil {
                    mapped.append(va)
                }
            } else {
                let i = Int(rng.below(UInt64(mapped.count)))
                _ = try table.unmap(VirtualAddress(mapped[i]), memory: &memory)
                mapped.swapAt(i, mapped.count - 1)
                mapped.removeLast()
            }
            if step % 500 == 0 { #expect(table.checkInvariants() == []) }
        }
        #expect(table.checkInvariants() == [])
        #expect(table.mappedPages == mapped.count)
        // Broken on purpose: a table that miscounts its entries in use.
        table.tables[Int(table.root)].present += 1
        #expect(table.checkInvariants().contains { $0.contains("entries in use") })
    }

    @Test func tlbHierarchiesKeepTheirSets() {
        var tlb = TLBHierarchy(spec: .skylake, basePageShift: 12)
        var rng = SimRandom(seed: 9)
        for _ in 0..<20_000 {
            let address = rng.below(1 << 24) << 12
            let asid = UInt16(rng.below(3))
            let huge = rng.below(8) == 0
            if tlb.lookup(address, kind: .load, asid: asid, tier: 1) == nil {
                tlb.fill(address, physical: address ^ (1 << 40), pageShift: huge ? 21 : 12, permissions: [.read, .write],
                         kind: .load, asid: asid, tier: 1)
            }
            if rng.below(50) == 0 { tlb.invalidate(address, asid: asid) }
        }
        #expect(tlb.checkInvariants() == [])
        tlb.arrays[0].valid += 1
        #expect(tlb.checkInvariants().contains { $0.contains("valid entries") })
    }

    @Test func slabAllocatorsKeepTheirCounts() {
        var memory = PhysicalMemory(.normal(pages: 16384, cpus: 2))
        var slub = SlabAllocator(cpus: 2)
        var rng = SimRandom(seed: 3)
        var live: [SlabObject] = []
        for step in 0..<20_000 {
            if live.isEmpty || rng.below(5) < 3 {
                if case .object(let o) = slub.kmalloc(size: Int(rng.below(2000)) + 1, memory: &memory, cpu: Int(rng.below(2))) {
                    live.append(o)
                }
            } else {
                let i = Int(rng.below(UInt64(live.count)))
                slub.free(live[i], memory: &memory, cpu: Int(rng.below(2)))
                live.swapAt(i, live.count - 1)
                live.removeLast()
            }
            if step % 4000 == 0 { #expect(slub.checkInvariants() == []) }
        }
        slub.shrink(memory: &memory)
        #expect(slub.checkInvariants() == [])
        #expect(memory.checkInvariants() == [])
    }

    @Test func heapAllocatorsAnswerThroughTheSameConvention() {
        var heap = FreeListAllocator(policy: .best, model: HeapModel())
        let a = heap.allocate(100), b = heap.allocate(50)
        heap.free(a)
        #expect(b >= 0)
        #expect(heap.checkInvariants() == [])
        var buddy = BuddyHeap(model: HeapModel())
        _ = buddy.allocate(300)
        #expect(buddy.checkInvariants() == [])
    }
}
