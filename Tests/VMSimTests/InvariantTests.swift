import Testing
@testable import VMSim

/// Long random runs with the invariant checker after every operation: no block on two lists,
/// every free block aligned and inside its zone, free + pcp + allocated = managed, no unmerged
/// free buddies, counters matching the lists.
@Suite struct InvariantTests {
    struct Scenario: Sendable, CustomStringConvertible {
        var name: String
        var config: PhysicalMemoryConfig
        var maxOrder: Int
        var steps: Int
        var slub: Bool
        var description: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "one zone, pcp on", config: .normal(pages: 2048), maxOrder: 10, steps: 3000, slub: false),
        Scenario(name: "one zone, pcp off",
                 config: PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 2048)], pcpEnabled: false),
                 maxOrder: 10, steps: 3000, slub: false),
        Scenario(name: "three unaligned zones, 3 CPUs",
                 config: PhysicalMemoryConfig(zones: [ZoneSpec(type: .dma, pages: 250), ZoneSpec(type: .dma32, pages: 771),
                                                      ZoneSpec(type: .normal, pages: 1300)], cpus: 3),
                 maxOrder: 10, steps: 3000, slub: true),
        Scenario(name: "max order 4, tight memory",
                 config: PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 600)], cpus: 2, maxOrder: 4,
                                              minFreeKbytes: 0),
                 maxOrder: 4, steps: 3000, slub: true),
    ]

    @Test(arguments: scenarios)
    func randomRunKeepsTheInvariants(_ s: Scenario) {
        var mem = PhysicalMemory(s.config)
        var slub = SlabAllocator(cpus: s.config.cpus)
        var rng = SimRandom(seed: 42)
        var blocks: [Int] = []
        var objects: [SlabObject] = []
        let zones = mem.zones.map(\.type)
        #expect(mem.checkInvariants() == [])
        for step in 0..<s.steps {
            let cpu = Int(rng.below(UInt64(s.config.cpus)))
            switch rng.below(10) {
            case 0...3:
                let order = Int(rng.below(UInt64(s.maxOrder + 1)))
                let type = [MigrateType.unmovable, .movable, .reclaimable][Int(rng.below(3))]
                let zone = zones[Int(rng.below(UInt64(zones.count)))]
                if let p = mem.allocPages(order: order, migratetype: type, zone: zone, cpu: cpu) { blocks.append(p) }
            case 4...6:
                if !blocks.isEmpty {
                    let i = Int(rng.below(UInt64(blocks.count)))
                    let freed = mem.freePages(pfn: blocks[i], cpu: cpu)
                    #expect(freed)
                    blocks.swapAt(i, blocks.count - 1)
                    blocks.removeLast()
                }
            case 7:
                if s.slub, case .object(let o) = slub.kmalloc(size: Int(rng.below(3000)) + 1, memory: &mem, cpu: cpu) {
                    objects.append(o)
                }
            case 8:
                if !objects.isEmpty {
                    let i = Int(rng.below(UInt64(objects.count)))
                    slub.free(objects[i], memory: &mem, cpu: cpu)
                    objects.swapAt(i, objects.count - 1)
                    objects.removeLast()
                }
            default:
                if rng.below(20) == 0 { mem.drainAllPages() }
            }
            let problems = mem.checkInvariants()
            if !problems.isEmpty {
                Issue.record("step \(step): \(problems)")
                return
            }
        }
        // Free everything: the memory must merge back to what boot left.
        for p in blocks { mem.freePages(pfn: p) }
        for o in objects { slub.free(o, memory: &mem) }
        slub.shrink(memory: &mem)
        mem.drainAllPages()
        #expect(mem.allocatedPages == 0)
        #expect(mem.freePagesTotal == mem.zones.reduce(0) { $0 + $1.managed })
        #expect(mem.checkInvariants() == [])
        let fresh = PhysicalMemory(s.config)
        for slot in mem.zones.indices {
            #expect(mem.nrFreeCounts(zoneSlot: slot) == fresh.nrFreeCounts(zoneSlot: slot))
        }
    }

    @Test func checkerReportsACorruptedState() {
        var mem = PhysicalMemory(.normal(pages: 1024))
        // Mark a free block's tail page as a buddy head: the tiling check must notice.
        mem.pages[5].state = .buddy
        #expect(!mem.checkInvariants().isEmpty)
    }
}
