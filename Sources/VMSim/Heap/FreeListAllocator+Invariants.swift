// Invariant checks of the free-list heap: the blocks tile the heap (each starts where the one
// below ends, the first at the base, the last at the top), free bytes and free blocks are what
// the counters say, every free block is in the index under its current key and no allocated block
// is, and under immediate coalescing no two free blocks are adjacent.
//
// `checkTouched` checks only the blocks an operation changed and their neighbours, which is all
// an operation can break: so checking after every operation costs O(blocks touched), and a whole
// malloc-lab trace can be checked op by op. `checkAll` walks everything.

extension FreeListAllocator {
    /// Starts or stops recording touched blocks.
    /// - Complexity: O(1).
    public mutating func recordTouches(_ on: Bool) {
        touching = on
        touched.removeAll(keepingCapacity: true)
    }

    /// Checks the blocks touched since the last call.
    /// - Complexity: O(touched blocks × log n).
    public mutating func checkTouched() -> String? {
        defer { touched.removeAll(keepingCapacity: true) }
        if freeCount != indexCount { return "free list holds \(indexCount) blocks, counter says \(freeCount)" }
        for b in touched {
            if let problem = checkBlock(b) { return problem }
            let block = blocks[Int(b)]
            if block.state == HeapBlock.dead { continue }
            if block.prev >= 0, let problem = checkBlock(block.prev) { return problem }
            if block.next >= 0, let problem = checkBlock(block.next) { return problem }
        }
        return nil
    }

    /// Checks the whole heap.
    /// - Complexity: O(n log n).
    public func checkAll() -> String? {
        var b = firstBlock, previous: Int32 = -1
        var expected = model.base
        var free: UInt64 = 0, allocated: UInt64 = 0, count = 0, seen = 0
        while b >= 0 {
            seen += 1
            if seen > blocks.count { return "the block chain has a cycle" }
            let block = blocks[Int(b)]
            if block.prev != previous { return "block \(b)'s back link is \(block.prev), expected \(previous)" }
            if block.address != expected { return "block \(b) starts at \(block.address), expected \(expected): blocks overlap or leave a gap" }
            if let problem = checkBlock(b) { return problem }
            if block.state == HeapBlock.free { free &+= block.size; count += 1 } else { allocated &+= block.size }
            expected = block.address &+ block.size
            previous = b
            b = block.next
        }
        if previous != topBlock { return "the chain ends at block \(previous), the top is \(topBlock)" }
        if expected != heapEnd { return "the blocks end at \(expected), the heap at \(heapEnd)" }
        if free != freeTotal { return "free blocks hold \(free) bytes, counter says \(freeTotal)" }
        if free &+ allocated != heapSize { return "free \(free) + allocated \(allocated) != heap size \(heapSize)" }
        if count != freeCount || count != indexCount { return "\(count) free blocks, counter \(freeCount), index \(indexCount)" }
        if policy == .tlsf {
            if let problem = tlsf.validate(blocks, freeCount: freeCount) { return problem }
        } else if let problem = fit.validate() {
            return problem
        }
        if usesReport, let problem = report.validate() { return problem }
        return nil
    }

    var indexCount: Int { policy == .tlsf ? freeCount : fit.count }

    /// One block against its neighbours and the index.
    func checkBlock(_ b: Int32) -> String? {
        let block = blocks[Int(b)]
        let inIndex = policy == .tlsf ? tlsf.contains(b) : fit.contains(b)
        if block.state == HeapBlock.dead {
            return inIndex ? "recycled block \(b) is still on the free list" : nil
        }
        if block.size == 0 { return "block \(b) is empty" }
        if block.prev >= 0 {
            let p = blocks[Int(block.prev)]
            if p.state == HeapBlock.dead || p.next != b { return "block \(b)'s neighbour below does not link back" }
            if p.address &+ p.size != block.address { return "block \(b) at \(block.address) does not start where block \(block.prev) ends (\(p.address &+ p.size))" }
            if model.coalescing == .immediate && p.state == HeapBlock.free && block.state == HeapBlock.free {
                return "free blocks \(block.prev) and \(b) are adjacent under immediate coalescing"
            }
        } else if b != firstBlock || block.address != model.base {
            return "block \(b) has no neighbour below but is not the first block at the base"
        }
        if block.next >= 0 {
            let n = blocks[Int(block.next)]
            if n.state == HeapBlock.dead || n.prev != b { return "block \(b)'s neighbour above does not link back" }
            if block.address &+ block.size != n.address { return "block \(block.next) at \(n.address) does not start where block \(b) ends" }
        } else if b != topBlock || block.address &+ block.size != heapEnd {
            return "block \(b) has no neighbour above but does not end at the top of the heap"
        }
        if (block.state == HeapBlock.free) != inIndex {
            return block.state == HeapBlock.free ? "free block \(b) is missing from the free list" : "allocated block \(b) is on the free list"
        }
        if block.state == HeapBlock.free {
            if policy != .tlsf && (fit.key(of: b) != fitKey(b) || fit.size(of: b) != block.size) {
                return "free block \(b) is indexed under a stale key"
            }
            if usesReport && (!report.contains(b) || report.key(of: b) != reportKey(b)) {
                return "free block \(b) is missing from the reported list or has a stale key"
            }
        }
        return nil
    }
}
