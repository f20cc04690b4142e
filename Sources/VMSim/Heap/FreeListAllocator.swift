/// One block of the free-list heap: a run of bytes that is either allocated or free. The blocks
/// tile the heap from its base to its top, linked in address order (the boundary tags).
@usableFromInline
struct HeapBlock: IndexLinked, Sendable {
    @usableFromInline static let dead: UInt8 = 0
    @usableFromInline static let allocated: UInt8 = 1
    @usableFromInline static let free: UInt8 = 2

    @usableFromInline var address: UInt64
    @usableFromInline var size: UInt64
    /// The block below and above in address order, -1 at the ends.
    @usableFromInline var prev: Int32
    @usableFromInline var next: Int32
    @usableFromInline var state: UInt8
    /// When it was last put on the free list (for LIFO and FIFO orders).
    @usableFromInline var seq: UInt64 = 0

    @usableFromInline init(address: UInt64, size: UInt64, prev: Int32, next: Int32, state: UInt8) {
        self.address = address
        self.size = size
        self.prev = prev
        self.next = next
        self.state = state
    }
}

/// The explicit free-list allocator of the reference model (docs/heap.md), with the free blocks
/// indexed so that every operation is O(log n) whatever the policy:
///
/// - first and next fit: a tree in address order with subtree maximum sizes;
/// - best fit: a tree in (size, address) order; worst fit: (descending size, address);
/// - segregated fits: a tree in (size class, address) order (FreeListAllocator+Segregated.swift);
/// - TLSF: two-level bitmaps of lists (TLSFIndex.swift), O(1).
///
/// A request takes a block of round_up(max(n, 1), alignment) + header bytes, split from the front
/// of the chosen free block; with no fit the heap grows at its top (by the shortfall when the top
/// block is free). Frees coalesce as `model.coalescing` says. A second tree in the reported list
/// order counts how many elements a plain linked list would have searched.
///
///     var heap = FreeListAllocator(policy: .best, model: HeapModel())
///     let a = heap.allocate(24)      // block [0, 24)
///     heap.free(a)
public struct FreeListAllocator: HeapAllocator {
    /// The placement policy: first, next, best, worst, segregated or TLSF.
    public let policy: HeapPolicy
    /// The model: alignment, header, base, coalescing, list order, limits.
    public let model: HeapModel
    @usableFromInline var blocks: ContiguousArray<HeapBlock> = []
    @usableFromInline var spare: ContiguousArray<Int32> = []
    /// Every block in address order (the boundary tags): the first at the base, the top block last.
    @usableFromInline var chain = IndexList()
    /// The block at the base, or -1.
    @inlinable var firstBlock: Int32 { chain.head }
    /// The block at the top, or -1.
    @inlinable var topBlock: Int32 { chain.tail }
    /// The address one past the heap's top.
    @usableFromInline var heapEnd: UInt64
    /// The index that chooses blocks (all policies but TLSF).
    @usableFromInline var fit = FreeBlockTree(seed: 1)
    /// The reported list order, when it differs from the choosing order and matters (first, next).
    @usableFromInline var report = FreeBlockTree(seed: 2)
    @usableFromInline let usesReport: Bool
    @usableFromInline var tlsf = TLSFIndex()
    /// Next fit: the end of the previous allocation.
    @usableFromInline var rover: UInt64
    /// Next fit in a non-address list order: where the list walk stopped last.
    @usableFromInline var reportRover = TreeKey.min
    @usableFromInline var nextSeq: UInt64 = 1
    @usableFromInline var freeTotal: UInt64 = 0
    @usableFromInline var freeCount = 0
    /// Deferred coalescing: free blocks that may have a free neighbour.
    @usableFromInline var pending: ContiguousArray<Int32> = []
    @usableFromInline var counters = SearchCounters()
    @usableFromInline var failure = HeapFailure.heapLimit
    /// Why the last allocation that returned no block failed.
    public var lastFailure: HeapFailure { failure }
    @usableFromInline var touching = false
    @usableFromInline var touched: ContiguousArray<Int32> = []

    /// A heap for `policy` (any but `.buddy`) under `model`.
    /// - Complexity: O(1).
    public init(policy: HeapPolicy, model: HeapModel) {
        precondition(policy.usesFreeListHeap, "the buddy heap is BuddyHeap")
        self.policy = policy
        self.model = model
        usesReport = (policy == .first || policy == .next) && model.order != .address
        // Best and worst fit only ask for the first block at or after a key: no subtree counts or maxima.
        fit = FreeBlockTree(seed: 1, augmented: policy != .best && policy != .worst)
        heapEnd = model.base
        rover = model.base
        if model.initialHeap > 0 {
            let b = newBlock(address: model.base, size: model.initialHeap, state: HeapBlock.allocated)
            blocks.pushTail(b, &chain)
            heapEnd = model.base &+ model.initialHeap
            insertFree(b)
        }
    }

    // MARK: HeapAllocator

    /// The heap's first address.
    @inlinable public var base: UInt64 { model.base }
    /// Bytes from `base` to the heap's top.
    @inlinable public var heapSize: UInt64 { heapEnd &- model.base }
    /// Bytes in free blocks.
    @inlinable public var freeBytes: UInt64 { freeTotal }
    /// Free blocks: the length of the free list.
    @inlinable public var freeBlockCount: Int { freeCount }
    /// The search lengths so far.
    @inlinable public var searchCounters: SearchCounters { counters }
    /// The address of `block`.
    /// - Complexity: O(1).
    @inlinable public func address(of block: Int32) -> UInt64 { blocks[Int(block)].address }
    /// The size of `block`, header included.
    /// - Complexity: O(1).
    @inlinable public func size(of block: Int32) -> UInt64 { blocks[Int(block)].size }

    /// - Complexity: O(1) (TLSF: O(length of the top list)).
    public func largestFreeBlock() -> UInt64 {
        switch policy {
        case .tlsf: return tlsf.largest(blocks)
        case .best:
            let b = fit.lastBelow(.max)
            return b >= 0 ? fit.size(of: b) : 0
        case .worst:
            let b = fit.first()
            return b >= 0 ? fit.size(of: b) : 0
        default: return fit.largest
        }
    }

    /// Whether the largest free block holds the request's block (with deferred coalescing, before
    /// the pending merges).
    /// - Complexity: as `largestFreeBlock()`.
    public func holdsWithoutGrowing(_ request: UInt64) -> Bool {
        guard let size = model.blockSize(forRequest: request) else { return false }
        return largestFreeBlock() >= size
    }

    /// - Complexity: O(n log n).
    public func freeBlocks() -> [(address: UInt64, size: UInt64)] {
        var out: [(address: UInt64, size: UInt64)] = []
        var b = firstBlock
        while b >= 0 {
            if blocks[Int(b)].state == HeapBlock.free { out.append((blocks[Int(b)].address, blocks[Int(b)].size)) }
            b = blocks[Int(b)].next
        }
        return out
    }

    /// Allocates by the policy, growing the heap at its top when nothing fits.
    /// - Complexity: O(log n) (amortized with deferred coalescing).
    @inlinable
    public mutating func allocate(_ request: UInt64) -> Int32 {
        guard let size = model.blockSize(forRequest: request) else {
            failure = .tooLarge
            return -1
        }
        var b = findFit(size)
        if b < 0 && model.coalescing == .deferred && !pending.isEmpty && coalescePending() {
            b = findFit(size)
        }
        if b >= 0 {
            b = place(b, size)
        } else {
            b = grow(size)
            if b < 0 { return -1 }
        }
        rover = blocks[Int(b)].address &+ size
        return b
    }

    /// Frees a block and coalesces it as the model says.
    /// - Complexity: O(log n).
    @inlinable
    public mutating func free(_ block: Int32) {
        precondition(blocks[Int(block)].state == HeapBlock.allocated, "free of a block that is not allocated")
        releaseRange(block)
    }

    /// Shrinks in place (the tail is freed), else grows in place into a free next block that is
    /// large enough (its leftover stays free), else allocates by the policy and frees the old block.
    /// - Complexity: O(log n).
    @inlinable
    public mutating func reallocate(_ block: Int32, to request: UInt64) -> Int32 {
        guard let size = model.blockSize(forRequest: request) else {
            failure = .tooLarge
            return -1
        }
        let old = blocks[Int(block)]
        if size <= old.size {
            if size < old.size {
                let tail = newBlock(address: old.address &+ size, size: old.size &- size, state: HeapBlock.allocated)
                linkAfter(block, tail)
                blocks[Int(block)].size = size
                touch(block)
                releaseRange(tail)
            }
            return block
        }
        let n = old.next
        if n >= 0 && blocks[Int(n)].state == HeapBlock.free && old.size &+ blocks[Int(n)].size >= size {
            let leftover = old.size &+ blocks[Int(n)].size &- size
            blocks[Int(block)].size = size
            touch(block)
            if leftover > 0 {
                resizeFree(n, address: old.address &+ size, size: leftover)
                notePossibleNeighbour(n)
            } else {
                removeFree(n)
                unlink(n)
            }
            return block
        }
        let moved = allocate(request)
        if moved < 0 { return -1 }
        releaseRange(block)
        return moved
    }

    // MARK: Blocks

    @inlinable @inline(__always)
    mutating func touch(_ b: Int32) {
        if touching { touched.append(b) }
    }

    @inlinable
    mutating func newBlock(address: UInt64, size: UInt64, state: UInt8) -> Int32 {
        let b: Int32
        let block = HeapBlock(address: address, size: size, prev: -1, next: -1, state: state)
        if let s = spare.popLast() {
            b = s
            blocks[Int(b)] = block
        } else {
            b = Int32(blocks.count)
            blocks.append(block)
            if policy == .tlsf { tlsf.reserve(blocks.count) } else { fit.reserve(blocks.count) }
            if usesReport { report.reserve(blocks.count) }
        }
        touch(b)
        return b
    }

    /// Puts `b` into the address chain right after `a`.
    @inlinable
    mutating func linkAfter(_ a: Int32, _ b: Int32) {
        let n = blocks[Int(a)].next
        blocks.insert(b, before: n, &chain)
        touch(a)
        if n >= 0 { touch(n) }
    }

    /// Puts `a` into the address chain right before `b`.
    @inlinable
    mutating func linkBefore(_ b: Int32, _ a: Int32) {
        let p = blocks[Int(b)].prev
        blocks.insert(a, before: b, &chain)
        if p >= 0 { touch(p) }
        touch(b)
    }

    /// Takes `b` out of the address chain and recycles its slot (its bytes belong to a neighbour now).
    @inlinable
    mutating func unlink(_ b: Int32) {
        let p = blocks[Int(b)].prev, n = blocks[Int(b)].next
        blocks.remove(b, &chain)
        if p >= 0 { touch(p) }
        if n >= 0 { touch(n) }
        blocks[Int(b)].state = HeapBlock.dead
        spare.append(b)
        touch(b)
    }

    /// Splits `size` bytes off the front of free block `b` and allocates them; returns the
    /// allocated block. The remainder keeps b's number, so an address-ordered index updates it in
    /// place.
    @inlinable
    mutating func place(_ b: Int32, _ size: UInt64) -> Int32 {
        let total = blocks[Int(b)].size
        if total == size {
            removeFree(b)
            blocks[Int(b)].state = HeapBlock.allocated
            touch(b)
            return b
        }
        let address = blocks[Int(b)].address
        let a = newBlock(address: address, size: size, state: HeapBlock.allocated)
        linkBefore(b, a)
        resizeFree(b, address: address &+ size, size: total &- size)
        notePossibleNeighbour(b)
        return a
    }

    /// No block fits: grows the heap by the shortfall into a free top block, or by the whole block.
    @inlinable
    mutating func grow(_ size: UInt64) -> Int32 {
        let t = topBlock
        if t >= 0 && blocks[Int(t)].state == HeapBlock.free {
            let shortfall = size &- blocks[Int(t)].size
            guard canGrow(by: shortfall) else { return -1 }
            removeFree(t)
            heapEnd &+= shortfall
            blocks[Int(t)].size = size
            blocks[Int(t)].state = HeapBlock.allocated
            touch(t)
            return t
        }
        guard canGrow(by: size) else { return -1 }
        let b = newBlock(address: heapEnd, size: size, state: HeapBlock.allocated)
        if t >= 0 { linkAfter(t, b) } else { blocks.pushTail(b, &chain) }
        heapEnd &+= size
        return b
    }

    @inlinable
    mutating func canGrow(by bytes: UInt64) -> Bool {
        let (grown, overflow) = heapSize.addingReportingOverflow(bytes)
        if overflow || grown > model.limit {
            failure = .heapLimit
            return false
        }
        return true
    }

    /// Frees the allocated block `b` and coalesces it as the model says.
    @inlinable
    mutating func releaseRange(_ block: Int32) {
        let b = block
        blocks[Int(b)].state = HeapBlock.free
        touch(b)
        switch model.coalescing {
        case .immediate:
            // The merged block keeps the number of a neighbour already on the free list, so that an
            // address-ordered index updates it in place.
            let p = blocks[Int(b)].prev, n = blocks[Int(b)].next
            let prevFree = p >= 0 && blocks[Int(p)].state == HeapBlock.free
            let nextFree = n >= 0 && blocks[Int(n)].state == HeapBlock.free
            var size = blocks[Int(b)].size
            if nextFree && prevFree {
                size &+= blocks[Int(n)].size
                removeFree(n)
                unlink(n)
            }
            if prevFree {
                resizeFree(p, address: blocks[Int(p)].address, size: blocks[Int(p)].size &+ size)
                unlink(b)
            } else if nextFree {
                resizeFree(n, address: blocks[Int(b)].address, size: blocks[Int(n)].size &+ size)
                unlink(b)
            } else {
                insertFree(b)
            }
        case .deferred:
            insertFree(b)
            let p = blocks[Int(b)].prev, n = blocks[Int(b)].next
            if (p >= 0 && blocks[Int(p)].state == HeapBlock.free) || (n >= 0 && blocks[Int(n)].state == HeapBlock.free) {
                pending.append(b)
            }
        case .none:
            insertFree(b)
        }
    }

    /// Deferred coalescing: remembers a free block whose next neighbour is free.
    @inlinable @inline(__always)
    mutating func notePossibleNeighbour(_ b: Int32) {
        // Under immediate coalescing the block after a remainder is never free: it was the
        // neighbour of a free block. Under `none` adjacency is allowed.
        guard model.coalescing == .deferred else { return }
        let n = blocks[Int(b)].next
        if n >= 0 && blocks[Int(n)].state == HeapBlock.free { pending.append(b) }
    }

    /// Merges free block `b` with the free blocks after it.
    @inlinable
    mutating func mergeForward(_ b: Int32) {
        var size = blocks[Int(b)].size
        var n = blocks[Int(b)].next
        while n >= 0 && blocks[Int(n)].state == HeapBlock.free {
            size &+= blocks[Int(n)].size
            removeFree(n)
            unlink(n)
            n = blocks[Int(b)].next
        }
        resizeFree(b, address: blocks[Int(b)].address, size: size)
    }

    /// Deferred coalescing: merges every run of adjacent free blocks that a free created, in
    /// address order (so merged blocks join a LIFO or FIFO list in address order). Each merge
    /// removes a block, so the work is paid for by the frees that made the runs.
    /// Returns whether any blocks merged.
    @usableFromInline
    mutating func coalescePending() -> Bool {
        var order = pending
        pending = []
        blocks.withUnsafeBufferPointer { b in order.sort { b[Int($0)].address > b[Int($1)].address } }
        pending = order
        var merged = false
        while let b = pending.popLast() {
            guard blocks[Int(b)].state == HeapBlock.free else { continue }
            var start = b
            while true {
                let p = blocks[Int(start)].prev
                if p >= 0 && blocks[Int(p)].state == HeapBlock.free { start = p } else { break }
            }
            let n = blocks[Int(start)].next
            if n >= 0 && blocks[Int(n)].state == HeapBlock.free {
                mergeForward(start)
                merged = true
            }
        }
        return merged
    }

    // MARK: The free index

    @inlinable @inline(__always)
    func fitKey(_ b: Int32) -> TreeKey {
        let block = blocks[Int(b)]
        switch policy {
        case .best: return TreeKey(block.size, block.address)
        case .worst: return TreeKey(~block.size, block.address)
        case .segregated: return TreeKey(Self.sizeClass(block.size), block.address)
        default: return TreeKey(block.address)
        }
    }

    @inlinable @inline(__always)
    func reportKey(_ b: Int32) -> TreeKey {
        let block = blocks[Int(b)]
        switch model.order {
        case .address: return TreeKey(block.address)
        case .sizeAscending: return TreeKey(block.size, block.address)
        case .sizeDescending: return TreeKey(~block.size, block.address)
        case .lifo: return TreeKey(~block.seq)
        case .fifo: return TreeKey(block.seq)
        }
    }

    @inlinable
    mutating func insertFree(_ b: Int32) {
        blocks[Int(b)].state = HeapBlock.free
        blocks[Int(b)].seq = nextSeq
        nextSeq &+= 1
        let size = blocks[Int(b)].size
        if policy == .tlsf {
            tlsf.insert(b, size: size)
        } else {
            fit.insert(b, key: fitKey(b), size: size)
        }
        if usesReport { report.insert(b, key: reportKey(b), size: size) }
        freeTotal &+= size
        freeCount &+= 1
        touch(b)
    }

    /// Moves or resizes free block `b` (it stays free and between the same neighbours in address
    /// order): in place in address-ordered indexes, else out and back in. It joins a LIFO or FIFO
    /// list afresh, as a re-inserted block would.
    @inlinable
    mutating func resizeFree(_ b: Int32, address: UInt64, size: UInt64) {
        let old = blocks[Int(b)].size
        if policy == .first || policy == .next {
            blocks[Int(b)].address = address
            blocks[Int(b)].size = size
            blocks[Int(b)].seq = nextSeq
            nextSeq &+= 1
            fit.update(b, key: TreeKey(address), size: size)
            if usesReport {
                report.remove(b)
                report.insert(b, key: reportKey(b), size: size)
            }
            freeTotal = freeTotal &- old &+ size
            touch(b)
        } else {
            removeFree(b)
            blocks[Int(b)].address = address
            blocks[Int(b)].size = size
            insertFree(b)
        }
    }

    @inlinable
    mutating func removeFree(_ b: Int32) {
        if policy == .tlsf { tlsf.remove(b, size: blocks[Int(b)].size) } else { fit.remove(b) }
        if usesReport { report.remove(b) }
        freeTotal &-= blocks[Int(b)].size
        freeCount &-= 1
        touch(b)
    }
}
