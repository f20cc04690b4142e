/// Why an allocation failed.
public enum HeapFailure: UInt8, Hashable, Sendable {
    /// The heap would have grown past `--heap-limit` (or the 128 TiB address space).
    case heapLimit
    /// The request is larger than any heap (beyond 2^47 bytes).
    case tooLarge
}

/// How long the free-list searches were, in elements a plain linked list in the reported order
/// would have examined (see docs/heap.md for each policy's rule).
public struct SearchCounters: Hashable, Sendable {
    /// Searches of the free list (allocations that looked for a free block).
    public var searches: UInt64 = 0
    /// Elements examined over all searches.
    public var examined: UInt64 = 0
    /// The longest single search.
    public var longest: UInt64 = 0

    /// Zero counts.
    public init() {}

    @inlinable @inline(__always)
    mutating func record(_ n: Int) {
        searches &+= 1
        examined &+= UInt64(n)
        if UInt64(n) > longest { longest = UInt64(n) }
    }

    /// examined / searches (0 without searches).
    public var mean: Double { searches == 0 ? 0 : Double(examined) / Double(searches) }
}

/// A simulated heap allocator: places blocks in a heap that grows at its top (sbrk-like).
///
/// Blocks are named by small integer handles that stay the same while a block is allocated.
/// `HeapSimulation` drives an allocator from a trace and keeps the ids, payloads and metrics.
public protocol HeapAllocator: InvariantChecking, Sendable {
    /// Allocates a block for a request of `request` bytes; returns its handle, or -1 (and sets
    /// `lastFailure`) when the heap cannot hold it.
    mutating func allocate(_ request: UInt64) -> Int32
    /// Frees an allocated block.
    mutating func free(_ block: Int32)
    /// Resizes an allocated block for a request of `request` bytes (at least 1); returns the
    /// block's handle (the same one when it stayed in place), or -1 when the heap cannot hold the
    /// new size, in which case the block is unchanged.
    mutating func reallocate(_ block: Int32, to request: UInt64) -> Int32
    /// The heap's parameters.
    var model: HeapModel { get }
    /// Why the last failed allocation failed.
    var lastFailure: HeapFailure { get }
    /// The block's first address (its header's).
    func address(of block: Int32) -> UInt64
    /// The block's size, header and padding included.
    func size(of block: Int32) -> UInt64
    /// The heap's first address.
    var base: UInt64 { get }
    /// Bytes from the base to the top of the heap.
    var heapSize: UInt64 { get }
    /// Bytes in free blocks.
    var freeBytes: UInt64 { get }
    /// Free blocks.
    var freeBlockCount: Int { get }
    /// The largest free block, 0 if none.
    func largestFreeBlock() -> UInt64
    /// Whether a request of `request` bytes would be placed in a free block, without growing the
    /// heap (glibc maps a large request only when it would not).
    func holdsWithoutGrowing(_ request: UInt64) -> Bool
    /// The free-list search lengths so far.
    var searchCounters: SearchCounters { get }
    /// The free blocks as (address, size), in address order (for tests and pictures).
    func freeBlocks() -> [(address: UInt64, size: UInt64)]

    /// Starts or stops recording which blocks each operation touches, for `checkTouched`.
    mutating func recordTouches(_ on: Bool)
    /// Checks the invariants around the blocks touched since the last call, then forgets them.
    /// Returns what is wrong, or nil.
    mutating func checkTouched() -> String?
    /// Checks every invariant of the whole heap. Returns what is wrong, or nil.
    func checkAll() -> String?
}

extension HeapAllocator {
    /// The invariant convention (`InvariantChecking`) over `checkAll()`: what it finds wrong, if
    /// anything, as one sentence. (`checkTouched()` is the incremental form a simulation uses
    /// after every operation.)
    /// - Complexity: as `checkAll()`, O(blocks).
    public func checkInvariants() -> [String] { checkAll().map { [$0] } ?? [] }
}
