import Foundation
import Testing
import VMDriver
import VMSim
import VMTrace

// The README's "Use from Swift" examples, each the body of a function below, verbatim: this file
// compiles them, the tests run them and check what they print, and `readmeShowsTheseSnippets`
// checks that every Swift block of that README section stands here letter for letter, so the
// examples cannot rot.

/// What the snippets print, captured (this `print` shadows the standard library's in this file).
final class Printed: @unchecked Sendable {
    var lines: [String] = []
}
@TaskLocal var printed = Printed()

func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    printed.lines.append(items.map { "\($0)" }.joined(separator: separator))
}

func snippetPagingFromAnArray() throws {
    let run = try PagingRun(policies: try PolicySpec.parseList(["fifo,lru,opt"]), frames: [3])
    for result in run.run(pages: [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1]) {
        print(result.policy, result.stats.misses)   // fifo 15, lru 12, opt 9 (Silberschatz, Fig. 10.12-16)
    }
}

func snippetPagingFromATraceFile() throws {
    let report = try PagingReplay.run(path: "workloads/true.lackey.gz", options: AccessTraceOptions(),
                                      policies: [PolicySpec(.lru), PolicySpec(.opt)], frames: [8, 32])
    for r in report.results { print(r.policy, r.frames, r.stats.misses) }   // lru 8 3803, lru 32 453, then OPT's fewer
}

/// Evicts the page loaded most recently (LIFO). Frames are slots 0..<frames; a page keeps its slot.
struct LIFO: ReplacementPolicy {
    let frames: Int
    var slots: [UInt64: Int32] = [:]
    var pages: [UInt64] = []

    mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        if let slot = slots[page] { return .hit(slot) }
        let last = Int32(frames - 1)
        if pages.count < frames {
            pages.append(page)
            slots[page] = Int32(pages.count - 1)
            return .fill(Int32(pages.count - 1))
        }
        let victim = pages[Int(last)]
        slots[victim] = nil
        slots[page] = last
        pages[Int(last)] = page
        return .evict(last, victim: victim)
    }
}

func snippetAPolicyOfYourOwn() throws {
    let lifo = try PolicyRegistry.lookup("lifo")
        ?? PolicyRegistry.register(name: "lifo", summary: "last in, first out") { frames, _, _ in LIFO(frames: frames) }
    let curve = try MRCReplay.run(path: "workloads/true.lackey.gz", options: AccessTraceOptions(),
                                  request: try MRCRequest(policy: PolicySpec(lifo), sizes: [16, 200]))
    for point in curve.points { print(point.frames, point.misses) }   // 200 frames: the 138 distinct pages
}

func snippetWholeSystem() throws {
    var machine = try Machine(MachineConfig())
    let shell = try machine.createProcess(name: "shell")
    let heap = try machine.mmap(shell, length: 1 << 20, protection: [.read, .write])
    try machine.touch(shell, heap, length: 1 << 20, .store)
    let child = try machine.fork(shell, name: "child")
    try machine.access(child, heap, .store)
    print(machine.task(shell).minorFaults, machine.task(child).cowFaults, machine.mismatches)   // 256 1 0
}

func snippetHeapAllocators() throws {
    var heap = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: HeapModel()))
    heap.run([.alloc(1, 100), .alloc(2, 200), .free(1), .alloc(3, 50), .alloc(4, 60)])
    let stats = heap.finish()
    print(stats.heapSize, stats.peakPayload)   // 368 310
}

func snippetAddressTranslation() throws {
    var mmu = try MMU<RadixPageTable>(format: .x86_64, memory: FrameAllocator(bytes: 1 << 30))
    try mmu.map(VirtualAddress(0x7f00_0000_1000), to: PhysicalAddress(0x1234_5000), size: .base4K,
                flags: [.read, .write, .user])
    let walk = mmu.explain(0x7f00_0000_1abc, AccessIntent(.store))
    print(String(walk.result.physical, radix: 16), walk.steps.count)   // 12345abc 4
}

func snippetBuddyAllocator() throws {
    var memory = PhysicalMemory(PhysicalMemoryConfig(zones: [ZoneSpec(type: .normal, pages: 4096)], pcpEnabled: false))
    let block = memory.allocate(order: 0)
    print(block.pfn ?? -1, block.advice)   // 0 none
    print(ProcFiles.buddyinfo(memory), terminator: "")
}

@Suite("README: Use from Swift")
struct READMESnippetTests {
    func run(_ snippet: () throws -> Void) throws -> [String] {
        let box = Printed()
        try $printed.withValue(box) { try snippet() }
        return box.lines
    }

    @Test func pagingFromAnArray() throws {
        #expect(try run(snippetPagingFromAnArray) == ["fifo 15", "lru 12", "opt 9"])
    }

    @Test func pagingFromATraceFile() throws {
        // LRU at 8 and 32 frames: 3,803 and 453 misses, as an independent Python model counts them
        // (PagingCommandTests); OPT can only do better, and never below the 138 distinct pages.
        let lines = try run(snippetPagingFromATraceFile)
        #expect(Array(lines.prefix(2)) == ["lru 8 3803", "lru 32 453"])
        let opt = lines.dropFirst(2).map { Int($0.split(separator: " ")[2])! }
        #expect(opt.count == 2 && opt[0] < 3803 && opt[1] < 453 && opt.allSatisfy { $0 >= 138 })
    }

    @Test func aPolicyOfYourOwn() throws {
        // The registered policy in the MRC size sweep equals the same type run directly through
        // PagingSimulation over the trace's references; with frames for every page, only the
        // 138 compulsory misses.
        let lines = try run(snippetAPolicyOfYourOwn)
        var direct = PagingSimulation(policy: LIFO(frames: 16))
        let reader = try AccessTrace.open("workloads/true.lackey.gz")
        while true {
            let batch = try reader.nextBatch()
            if batch.isEmpty { break }
            direct.run(pages: batch.map(\.page))
        }
        #expect(lines == ["16 \(direct.stats.misses)", "200 138"])
        #expect(direct.stats.misses > 138)
    }

    @Test func wholeSystem() throws {
        // 256 pages written (each a fault on a fresh page), one write by the child copies one.
        #expect(try run(snippetWholeSystem) == ["256 1 0"])
    }

    @Test func heapAllocators() throws {
        // By hand (alignment 8, no headers, the heap grows at its top): 1 takes [0,104), 2 [104,304);
        // free 1; 3 (56 bytes) best-fits the hole, [0,56), leaving 48 bytes; 4 (64 bytes) fits no
        // hole, so the heap grows to 304 + 64 = 368. Peak payload: 200 + 50 + 60 = 310 at the end.
        #expect(try run(snippetHeapAllocators) == ["368 310"])
    }

    @Test func addressTranslation() throws {
        // Four levels (PML4, PDPT, PD, PT); the offset 0xabc carried into the frame at 0x12345000.
        #expect(try run(snippetAddressTranslation) == ["12345abc 4"])
    }

    @Test func buddyAllocator() throws {
        // 16 MiB is four order-10 blocks; taking one page from the first splits it down the orders
        // (expand() in mm/page_alloc.c), leaving one block of each order 0-9 and three of order 10,
        // as vmsim buddy prints for the same script (BuddyCommandTests).
        #expect(try run(snippetBuddyAllocator) == [
            "0 none",
            "Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1      3 \n",
        ])
    }

    /// Every ```swift block in the README's "Use from Swift" section, apart from its import lines,
    /// stands in this file as written.
    @Test func readmeShowsTheseSnippets() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Use from Swift\n").dropFirst().first)
            .components(separatedBy: "\n## ").first!
        let blocks = section.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```").first! }
        #expect(blocks.count >= 5)
        let code = source.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for block in blocks {
            let lines = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.hasPrefix("import ") && !$0.isEmpty }
            // The block's lines appear in this file in order, one after another (blank lines aside).
            let found = code.indices.contains { start in
                start + lines.count <= code.count && Array(code[start..<(start + lines.count)]) == lines
            }
            #expect(found, "README block not in READMESnippets.swift:\n\(block)")
        }
    }
}
