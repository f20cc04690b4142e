import Foundation
import Testing
@testable import VMSim

/// OSTEP's malloc.py is the reference model on a fixed heap: one free block of `-S` bytes at `-b`
/// (`--initial-heap` = `--heap-limit`), split from the front, requests rounded to `-a` plus `-H`
/// header bytes, FIRST/BEST/WORST as ours (lowest address on ties), coalescing `-C` immediate,
/// else none; its "searched N elements" is our walk on an address-ordered list.
@Suite("OSTEP malloc.py examples")
struct OSTEPMallocTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/ostep")

    /// Hand-worked, in the style of the chapter's homework: a 100-byte heap at 1000, first fit,
    /// no alignment, coalescing: +10, +20, -0, +5.
    ///   ptr[0] = Alloc(10) returned 1000 (searched 1)  free [1010, 90]
    ///   ptr[1] = Alloc(20) returned 1010 (searched 1)  free [1030, 70]
    ///   Free(ptr[0])                                   free [1000, 10] [1030, 70]
    ///   ptr[2] = Alloc(5) returned 1000 (searched 1)   free [1005, 5] [1030, 70]
    ///   ptr[3] = Alloc(80) fails (searched 2): the top block [1030, 70] would have to grow past 100.
    @Test func handWorkedFirstFit() {
        let model = HeapModel(alignment: 1, base: 1000, heapLimit: 100, initialHeap: 100)
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .first, model: model), checking: .full)
        sim.run([.alloc(0, 10), .alloc(1, 20)])
        #expect(sim.address(ofID: 0) == 1000 && sim.address(ofID: 1) == 1010)
        sim.run([.free(0), .alloc(2, 5)])
        #expect(sim.address(ofID: 2) == 1000)
        #expect(freeList(sim.allocator) == [[1005, 5], [1030, 70]])
        sim.run([.alloc(3, 80)])
        let stats = sim.finish()
        #expect(stats.count(.heapLimit) == 1)
        #expect(stats.search.examined == 1 + 1 + 1 + 2)
        #expect(stats.invariantViolation == nil)
    }

    /// Best fit on the same heap: +30, +10, +20, -0, -2, +15: the free blocks are [1000, 30] and
    /// [1040, 60] (ptr[2] merged with the rest); 15 goes to the 30 at 1000, the smaller.
    /// Worst fit takes the 60 at 1040.
    @Test func handWorkedBestAndWorst() {
        let model = HeapModel(alignment: 1, base: 1000, heapLimit: 100, initialHeap: 100)
        let ops: [HeapOp] = [.alloc(0, 30), .alloc(1, 10), .alloc(2, 20), .free(0), .free(2), .alloc(3, 15)]
        var best = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: model))
        best.run(ops)
        #expect(best.address(ofID: 3) == 1000)
        var worst = HeapSimulation(allocator: FreeListAllocator(policy: .worst, model: model))
        worst.run(ops)
        #expect(worst.address(ofID: 3) == 1040)
        #expect(freeList(worst.allocator) == [[1000, 30], [1055, 45]])
    }

    @Test(arguments: ["malloc-016", "malloc-032", "malloc-080", "malloc-096", "malloc-120", "malloc-160"])
    func matchesMallocPy(name: String) throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name + ".out"), encoding: .utf8)
        var settings: [String: String] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        while i < lines.count && !lines[i].isEmpty {
            let parts = lines[i].split(separator: " ", maxSplits: 1).map(String.init)
            settings[parts[0]] = parts.count > 1 ? parts[1] : ""
            i += 1
        }
        let size = UInt64(settings["size"]!)!, header = UInt64(settings["headerSize"]!)!
        let alignment = Int(settings["alignment"]!)!
        let policy: HeapPolicy = ["FIRST": .first, "BEST": .best, "WORST": .worst][settings["policy"]!]!
        #expect(settings["listOrder"] == "ADDRSORT")
        let model = HeapModel(alignment: alignment < 0 ? 1 : UInt64(alignment), header: header, base: UInt64(settings["baseAddr"]!)!,
                              coalescing: settings["coalesce"] == "True" ? .immediate : .none, heapLimit: size, initialHeap: size)
        // Random mode prints the address plus the header; -A mode the block's address.
        let shift = settings["allocList"]!.isEmpty ? Int64(header) : 0
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: policy, model: model), checking: .full)
        var checked = 0
        let alloc = try Regex(#"^ptr\[(\d+)\] = Alloc\((\d+)\) returned (-?\d+) \(searched (\d+) elements\)$"#)
        let free = try Regex(#"^Free\(ptr\[(\d+)\]\)$"#)
        for (n, line) in lines.enumerated() where n > i {
            if let m = line.wholeMatch(of: alloc) {
                let id = UInt64(m.output[1].substring!)!, request = UInt64(m.output[2].substring!)!
                let returned = Int64(m.output[3].substring!)!, searched = UInt64(m.output[4].substring!)!
                let before = sim.allocator.searchCounters.examined
                sim.run([.alloc(id, request, line: n + 1)])
                let address = sim.address(ofID: id).map { Int64($0) } ?? -1
                #expect(address + shift == returned, "\(name) line \(n + 1): \(line)")
                #expect(sim.allocator.searchCounters.examined - before == searched, "\(name) line \(n + 1): \(line)")
                checked += 1
            } else if let m = line.wholeMatch(of: free) {
                let id = UInt64(m.output[1].substring!)!
                let before = sim.finish().diagnostics.count
                sim.run([.free(id, line: n + 1)])
                let rc = sim.finish().diagnostics.count > before ? "returned -1" : "returned 0"
                #expect(lines[n + 1] == rc, "\(name) line \(n + 1)")
            } else if line.hasPrefix("Free List") {
                let expected = line.split(separator: "]: ", maxSplits: 1, omittingEmptySubsequences: false).last ?? ""
                let actual = sim.allocator.freeBlocks().map { "[ addr:\($0.address) sz:\($0.size) ]" }.joined()
                #expect(actual == expected, "\(name) line \(n + 1)")
            }
        }
        #expect(checked > 3)
        #expect(sim.finish().invariantViolation == nil)
    }
}
