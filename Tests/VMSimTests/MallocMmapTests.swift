import Foundation
import Testing
@testable import VMSim

extension HeapSimulation {
    /// The bytes mapped for the chunk an id names, or nil when it is not a mapped chunk.
    func mappedSize(ofID id: UInt64) -> UInt64? {
        let v = ids[id]
        guard v != HeapIDMap.absent, v & Self.tagMask == Self.mappedTag else { return nil }
        return mapped[Int(v & ~Self.tagMask)].size
    }
}

/// glibc's M_MMAP_THRESHOLD in the glibc-like heap model (`MallocMmap`): sizes from glibc's
/// `request2size` and `sysmalloc_mmap`, and the decisions of the glibc this machine runs.
@Suite("glibc's mmap threshold")
struct MallocMmapTests {
    @Test func chunkAndMappingSizesFollowGlibc() {
        let m = MallocMmap()
        // request2size: max(MINSIZE 32, (n + SIZE_SZ 8 + MALLOC_ALIGN_MASK 15) & ~15).
        #expect(m.chunkSize(forRequest: 0) == 32 && m.chunkSize(forRequest: 24) == 32 && m.chunkSize(forRequest: 25) == 48)
        #expect(m.chunkSize(forRequest: 100) == 112)
        // 131056 bytes is the smallest request whose chunk reaches the 128 KiB threshold.
        #expect(m.chunkSize(forRequest: 131040) == 131056 && m.chunkSize(forRequest: 131056) == 131072)
        // sysmalloc_mmap: ALIGN_UP(nb + SIZE_SZ, pagesize); malloc_usable_size is that less 16
        // (measured: 131056 -> 135152, 200000 -> 200688, 300000 -> 303088).
        #expect(m.mappingSize(forRequest: 131056) == 135168)
        #expect(m.mappingSize(forRequest: 200000) == 200704)
        #expect(m.mappingSize(forRequest: 300000) == 303104)
    }

    /// Worked by hand from the rules: nothing in the heap is free, so every request whose chunk
    /// reaches the threshold is mapped.
    @Test func theThresholdRisesWhenAMappedChunkIsFreed() {
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: .glibcLike), checking: .full,
                                 mmap: HeapModel.glibcLike.mmap)
        sim.run([.alloc(1, 100), .alloc(2, 131056), .alloc(3, 131040), .alloc(4, 200000)])
        #expect(sim.mappedSize(ofID: 1) == nil && sim.mappedSize(ofID: 3) == nil)
        #expect(sim.mappedSize(ofID: 2) == 135168 && sim.mappedSize(ofID: 4) == 200704)
        sim.run([.free(4), .alloc(5, 200000), .alloc(6, 300000)])
        #expect(sim.mappedSize(ofID: 5) == nil, "200016 < the raised threshold 200704")
        #expect(sim.mappedSize(ofID: 6) == 303104)
        let s = sim.finish()
        #expect(s.invariantViolation == nil)
        #expect(s.mmaps == 3 && s.munmaps == 1 && s.mmapThresholdAtExit == 200704)
        #expect(s.mmappedChunksAtExit == 2 && s.mmappedBytesAtExit == 135168 + 303104 && s.mmappedBytesPeak == 135168 + 303104)
        // The heap holds the three small blocks only: 128 + 131056 + 200016 bytes (16-byte header).
        #expect(s.heapSize == 128 + 131056 + 200016)
        #expect(s.inUseAtExitBlocks == 5 && s.inUseAtExitBytes == 100 + 131056 + 131040 + 200000 + 300000)
        #expect(s.peakPayload == s.inUseAtExitBytes)
    }

    @Test func aFreeBlockThatHoldsALargeRequestIsUsedFirst() {
        // _int_malloc finds a free heap block before sysmalloc is asked for memory: a heap that
        // starts with 1 MiB free places 512 KiB there, and maps only what does not fit.
        var model = HeapModel.glibcLike
        model.initialHeap = 1 << 20
        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: model), checking: .full,
                                 mmap: MallocMmap(threshold: 4096, dynamic: false))
        sim.run([.alloc(1, 512 << 10), .alloc(2, 600 << 10), .alloc(3, 400 << 10)])
        #expect(sim.mappedSize(ofID: 1) == nil && sim.mappedSize(ofID: 3) == nil)
        #expect(sim.mappedSize(ofID: 2) == (600 << 10) + 4096, "no free block holds 600 KiB")
        sim.run([.free(2)])
        let s = sim.finish()
        #expect(s.heapSize == 1 << 20 && s.mmaps == 1)
        #expect(s.mmapThresholdAtExit == 4096, "a threshold set with mallopt is not dynamic")
    }

    @Test func theRulesAreOffByDefault() {
        let (s, _) = simulate(.best, HeapModel(), [.alloc(1, 1 << 20), .free(1)])
        #expect(s.mmaps == 0 && s.mmapThresholdAtExit == nil && s.heapSize == 1 << 20)
    }

    /// Tests/Programs/malloc-mmap.c, compiled and run here: glibc's own decision and chunk size
    /// for every step, read from the chunk's size field, against the model's.
    @Test func theModelDecidesAsThisMachinesGlibc() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = root.appendingPathComponent("Tests/Programs/malloc-mmap.c").path
        let exe = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-malloc-mmap-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: exe) }
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-O0", "-o", exe, source]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0, "cc builds \(source)")
        let run = Process(), out = Pipe()
        run.executableURL = URL(fileURLWithPath: exe)
        run.standardOutput = out
        try run.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        run.waitUntilExit()
        let lines = text.split(separator: "\n")
        try #require(lines.count == 14, "\(text)")

        var sim = HeapSimulation(allocator: FreeListAllocator(policy: .best, model: .glibcLike), checking: .full,
                                 mmap: HeapModel.glibcLike.mmap)
        var mapped = 0
        for (n, line) in lines.enumerated() {
            let w = line.split(separator: " ")
            let id = UInt64(w[1])!, size = UInt64(w[2])!, chunk = UInt64(w[4])!
            switch w[0] {
            case "malloc": sim.run([.alloc(id, size, line: n + 1)])
            case "realloc": sim.run([.realloc(id, size, line: n + 1)])
            default: sim.run([.free(id, line: n + 1)]); continue
            }
            if w[3] == "mapped" {
                mapped += 1
                #expect(sim.mappedSize(ofID: id) == chunk, "step \(n + 1): \(line)")
            } else {
                #expect(sim.mappedSize(ofID: id) == nil, "step \(n + 1): \(line)")
                #expect(MallocMmap().chunkSize(forRequest: size) == chunk, "step \(n + 1): \(line)")
            }
        }
        let s = sim.finish()
        #expect(mapped == 7 && s.invariantViolation == nil)
        #expect(s.mmaps == 5 && s.munmaps == 3 && s.mremaps == 1, "the realloc to the same pages is not a remap")
        #expect(s.mmapThresholdAtExit == 1052672)
    }
}
