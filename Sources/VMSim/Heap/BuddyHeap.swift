/// A binary buddy heap, with the kernel's names (mm/page_alloc.c): blocks of 2^order bytes at
/// offsets that are multiples of their size, `free_area[order]` lists with `nr_free` counts,
/// `__rmqueue_smallest` (take the head of the smallest non-empty list at or above the order) and
/// `expand` (split it, putting the upper halves on their lists), and `__free_one_page` (merge with
/// the buddy at offset ^ 2^order while it is free and of the same order).
///
/// A request of n bytes takes the smallest power of two that holds round_up(max(n, 1), alignment)
/// + header. With no free block large enough the heap grows at its top, sbrk-like: free blocks
/// fill the top up to the next multiple of the block size (each of the largest order its offset
/// allows), then the block is appended. Lists are LIFO, as the kernel's are.
///
///     var heap = BuddyHeap(model: HeapModel())
///     let a = heap.allocate(100)     // a 128-byte block at offset 0
public struct BuddyHeap: HeapAllocator {
    /// The model: alignment, header, base, limits.
    public let model: HeapModel

    @usableFromInline
    struct Block: IndexLinked, Sendable {
        @usableFromInline var offset: UInt64
        @usableFromInline var order: UInt8
        @usableFromInline var state: UInt8
        @usableFromInline var next: Int32 = -1
        @usableFromInline var prev: Int32 = -1
        @usableFromInline init(offset: UInt64, order: UInt8, state: UInt8) {
            self.offset = offset
            self.order = order
            self.state = state
        }
    }

    @usableFromInline var blocks: ContiguousArray<Block> = []
    @usableFromInline var spare: ContiguousArray<Int32> = []
    /// Block at each offset (free or allocated), for finding buddies.
    @usableFromInline var byOffset = PageMap<Int32>(expectedCount: 1024)
    /// `free_area[order]`: the free list of each order, its count `nr_free`.
    @usableFromInline var freeArea = ContiguousArray<IndexList>(repeating: IndexList(), count: 64)
    @usableFromInline var top: UInt64 = 0
    @usableFromInline var freeTotal: UInt64 = 0
    @usableFromInline var freeCount = 0
    @usableFromInline var counters = SearchCounters()
    @usableFromInline var failure = HeapFailure.heapLimit
    /// Why the last allocation that returned no block failed.
    public var lastFailure: HeapFailure { failure }
    @usableFromInline var touching = false
    @usableFromInline var touched: ContiguousArray<Int32> = []

    /// An empty buddy heap under `model`; with an initial heap, its free blocks in the largest aligned pieces.
    /// - Complexity: O(1), or O(log initialHeap) pieces with an initial heap.
    public init(model: HeapModel) {
        self.model = model
        if model.initialHeap > 0 { _ = fillTop(to: model.initialHeap) }
    }

    /// The heap's first address.
    @inlinable public var base: UInt64 { model.base }
    /// Bytes from `base` to the heap's top.
    @inlinable public var heapSize: UInt64 { top }
    /// Bytes in free blocks.
    @inlinable public var freeBytes: UInt64 { freeTotal }
    /// Free blocks on the `free_area` lists.
    @inlinable public var freeBlockCount: Int { freeCount }
    /// The search lengths so far.
    @inlinable public var searchCounters: SearchCounters { counters }
    /// The address of `block`.
    /// - Complexity: O(1).
    @inlinable public func address(of block: Int32) -> UInt64 { model.base &+ blocks[Int(block)].offset }
    /// The size of `block`: a power of two.
    /// - Complexity: O(1).
    @inlinable public func size(of block: Int32) -> UInt64 { 1 << UInt64(blocks[Int(block)].order) }

    /// - Complexity: O(64).
    public func largestFreeBlock() -> UInt64 {
        for order in stride(from: 63, through: 0, by: -1) where freeArea[order].count > 0 { return 1 << UInt64(order) }
        return 0
    }

    /// - Complexity: O(n log n).
    public func freeBlocks() -> [(address: UInt64, size: UInt64)] {
        blocks.filter { $0.state == HeapBlock.free }.map { (model.base &+ $0.offset, UInt64(1) << UInt64($0.order)) }
            .sorted { $0.0 < $1.0 }
    }

    /// Whether some free block is of the request's order or above.
    /// - Complexity: O(64).
    public func holdsWithoutGrowing(_ request: UInt64) -> Bool {
        guard let order = order(forRequest: request), order < 64 else { return false }
        return largestFreeBlock() >= UInt64(1) << UInt64(order)
    }

    /// The order of the block a request of `n` bytes takes, or nil when it is beyond any heap.
    /// - Complexity: O(1).
    @inlinable
    public func order(forRequest n: UInt64) -> Int? {
        guard let size = model.blockSize(forRequest: n) else { return nil }
        return size <= 1 ? 0 : 64 &- (size &- 1).leadingZeroBitCount
    }

    /// `__rmqueue_smallest`, or heap growth.
    /// - Complexity: O(log heap size).
    @inlinable
    public mutating func allocate(_ request: UInt64) -> Int32 {
        guard let order = order(forRequest: request), order < 48 else {
            failure = .tooLarge
            return -1
        }
        var current = order
        while current < 64 && freeArea[current].head < 0 { current &+= 1 }
        counters.record(current &- order &+ (current < 64 ? 1 : 0))
        if current < 64 {
            let b = freeArea[current].head
            delFromFreeArea(b)
            blocks[Int(b)].state = HeapBlock.allocated
            expand(b, from: current, to: order)
            return b
        }
        let size = UInt64(1) << UInt64(order)
        let aligned = (top &+ size &- 1) & ~(size &- 1)
        let (end, overflow) = aligned.addingReportingOverflow(size)
        guard !overflow, end <= model.limit else {
            failure = .heapLimit
            return -1
        }
        _ = fillTop(to: aligned)
        let b = newBlock(offset: top, order: UInt8(order), state: HeapBlock.allocated)
        top = end
        return b
    }

    /// `__free_one_page`: merges with free buddies of the same order.
    /// - Complexity: O(log heap size).
    @inlinable
    public mutating func free(_ block: Int32) {
        precondition(blocks[Int(block)].state == HeapBlock.allocated, "free of a block that is not allocated")
        freeOnePage(block)
    }

    /// Stays in place when the new order is not larger (splitting off the upper halves when it is
    /// smaller); otherwise allocates a new block and frees the old one.
    /// - Complexity: O(log heap size).
    @inlinable
    public mutating func reallocate(_ block: Int32, to request: UInt64) -> Int32 {
        guard let order = order(forRequest: request) else {
            failure = .tooLarge
            return -1
        }
        let current = Int(blocks[Int(block)].order)
        if order <= current {
            expand(block, from: current, to: order)
            return block
        }
        let moved = allocate(request)
        if moved < 0 { return -1 }
        freeOnePage(block)
        return moved
    }

    // MARK: Internals

    @inlinable @inline(__always)
    mutating func touch(_ b: Int32) { if touching { touched.append(b) } }

    @inlinable
    mutating func newBlock(offset: UInt64, order: UInt8, state: UInt8) -> Int32 {
        let block = Block(offset: offset, order: order, state: state)
        let b: Int32
        if let s = spare.popLast() { b = s; blocks[Int(b)] = block } else { b = Int32(blocks.count); blocks.append(block) }
        byOffset.insert(offset, b)
        touch(b)
        return b
    }

    @inlinable
    mutating func addToFreeArea(_ b: Int32) {
        let order = Int(blocks[Int(b)].order)
        blocks[Int(b)].state = HeapBlock.free
        blocks.pushHead(b, &freeArea[order])
        freeTotal &+= 1 << UInt64(order)
        freeCount &+= 1
        touch(b)
    }

    @inlinable
    mutating func delFromFreeArea(_ b: Int32) {
        let order = Int(blocks[Int(b)].order)
        blocks.remove(b, &freeArea[order])
        freeTotal &-= 1 << UInt64(order)
        freeCount &-= 1
        touch(b)
    }

    /// `expand`: splits block `b` of order `high` down to `low`, freeing the upper halves.
    @inlinable
    mutating func expand(_ b: Int32, from high: Int, to low: Int) {
        var order = high
        while order > low {
            order &-= 1
            let half = newBlock(offset: blocks[Int(b)].offset &+ (1 << UInt64(order)), order: UInt8(order), state: HeapBlock.free)
            addToFreeArea(half)
        }
        blocks[Int(b)].order = UInt8(low)
        touch(b)
    }

    @inlinable
    mutating func freeOnePage(_ block: Int32) {
        var b = block
        var order = Int(blocks[Int(b)].order)
        while order < 63 {
            let buddyOffset = blocks[Int(b)].offset ^ (1 << UInt64(order))
            let buddy = byOffset.find(buddyOffset)
            guard buddy != .max, blocks[Int(buddy)].state == HeapBlock.free, Int(blocks[Int(buddy)].order) == order else { break }
            delFromFreeArea(buddy)
            // The merged block starts at the lower of the two; the other's slot is recycled.
            let (low, high) = blocks[Int(buddy)].offset < blocks[Int(b)].offset ? (buddy, b) : (b, buddy)
            byOffset.remove(blocks[Int(high)].offset)
            blocks[Int(high)].state = HeapBlock.dead
            spare.append(high)
            touch(high)
            b = low
            order &+= 1
            blocks[Int(b)].order = UInt8(order)
        }
        addToFreeArea(b)
    }

    /// Fills [top, target) with free blocks, each of the largest order its offset allows.
    @usableFromInline
    mutating func fillTop(to target: UInt64) -> Bool {
        while top < target {
            var order = top == 0 ? 63 : top.trailingZeroBitCount
            while order > 0 && top &+ (1 << UInt64(order)) > target { order -= 1 }
            let b = newBlock(offset: top, order: UInt8(order), state: HeapBlock.allocated)
            top &+= 1 << UInt64(order)
            freeOnePage(b)
        }
        return true
    }

    // MARK: Checks

    /// Starts (or stops) noting the blocks each operation touches, for `checkTouched()`.
    /// - Complexity: O(1).
    public mutating func recordTouches(_ on: Bool) {
        touching = on
        touched.removeAll(keepingCapacity: true)
    }

    /// - Complexity: O(touched blocks).
    public mutating func checkTouched() -> String? {
        defer { touched.removeAll(keepingCapacity: true) }
        for b in touched {
            if let problem = checkBlock(b) { return problem }
        }
        return nil
    }

    func checkBlock(_ b: Int32) -> String? {
        let block = blocks[Int(b)]
        if block.state == HeapBlock.dead { return nil }
        let size = UInt64(1) << UInt64(block.order)
        if block.offset & (size - 1) != 0 { return "buddy block \(b) at offset \(block.offset) is not aligned to its size \(size)" }
        if block.offset &+ size > top { return "buddy block \(b) runs past the top of the heap" }
        if byOffset.find(block.offset) != b { return "buddy block \(b) is not found at its offset" }
        if block.state == HeapBlock.free {
            let buddy = byOffset.find(block.offset ^ size)
            if buddy != .max && blocks[Int(buddy)].state == HeapBlock.free && blocks[Int(buddy)].order == block.order {
                return "buddies \(b) and \(buddy) of order \(block.order) are both free"
            }
        }
        return nil
    }

    /// - Complexity: O(n log n).
    public func checkAll() -> String? {
        let live = blocks.indices.filter { blocks[$0].state != HeapBlock.dead }.sorted { blocks[$0].offset < blocks[$1].offset }
        var expected: UInt64 = 0, free: UInt64 = 0, count = 0
        for i in live {
            let block = blocks[i]
            if block.offset != expected { return "buddy block \(i) starts at \(block.offset), expected \(expected)" }
            if let problem = checkBlock(Int32(i)) { return problem }
            expected = block.offset + (1 << UInt64(block.order))
            if block.state == HeapBlock.free { free += 1 << UInt64(block.order); count += 1 }
        }
        if expected != top { return "buddy blocks end at \(expected), the heap at \(top)" }
        if free != freeTotal || count != freeCount { return "buddy free counters disagree with the blocks" }
        if byOffset.count != live.count { return "buddy offset map holds \(byOffset.count) blocks, \(live.count) exist" }
        for order in 0..<64 {
            let problem = blocks.linkProblem(freeArea[order]) { b in
                blocks[Int(b)].state != HeapBlock.free || Int(blocks[Int(b)].order) != order ? "holds a wrong block \(b)" : nil
            }
            if let problem { return "free_area[\(order)]: \(problem)" }
        }
        return nil
    }
}
