/// A problem in the trace's use of the heap, reported with its line while the run goes on.
public struct HeapDiagnostic: Hashable, Sendable {
    /// The problem.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// free of a block already freed.
        case doubleFree = "double-free"
        /// free of an id (address) never allocated.
        case invalidFree = "invalid-free"
        /// realloc of a block already freed.
        case reallocOfFreed = "realloc-of-freed"
        /// realloc of an address never allocated (Valgrind traces).
        case invalidRealloc = "invalid-realloc"
        /// An allocation the heap could not hold within its limit.
        case heapLimit = "heap-limit"
        /// A request larger than any heap.
        case tooLarge = "too-large"
        /// An allocation under an id whose block is still allocated; the old block leaks.
        case idReused = "id-reused"
    }

    /// The problem.
    public var kind: Kind
    /// The trace line of the operation.
    public var line: Int
    /// The block's id.
    public var id: UInt64
    /// The request size, for allocation problems.
    public var size: UInt64
    /// The line where the block was freed (double free, realloc of freed) or allocated (id reused).
    public var earlierLine: Int

    /// A diagnostic at `line`.
    public init(kind: Kind, line: Int, id: UInt64, size: UInt64 = 0, earlierLine: Int = 0) {
        self.kind = kind
        self.line = line
        self.id = id
        self.size = size
        self.earlierLine = earlierLine
    }
}

/// A block still allocated at the end of the trace.
public struct HeapLeak: Hashable, Sendable {
    /// The block's id.
    public var id: UInt64
    /// Bytes requested.
    public var size: UInt64
    /// The trace line that allocated it (or last resized it).
    public var line: Int
    /// An unfreed block.
    public init(id: UInt64, size: UInt64, line: Int) {
        self.id = id
        self.size = size
        self.line = line
    }
}

/// The heap's state after one operation, sampled at evenly spaced points of the trace.
public struct HeapSample: Hashable, Sendable {
    /// Operations done so far.
    public var op: UInt64
    /// The heap's size.
    public var heapSize: UInt64
    /// Bytes requested by the live blocks in the heap.
    public var payload: UInt64
    /// Bytes in free blocks.
    public var freeBytes: UInt64
    /// The largest free block.
    public var largestFree: UInt64
    /// The free-list length.
    public var freeBlocks: Int
    /// Bytes in chunks with their own mappings, beside the heap (glibc's large requests).
    public var mapped: UInt64 = 0
    /// Bytes requested by the mapped chunks.
    public var mappedPayload: UInt64 = 0

    /// A sample.
    public init(op: UInt64, heapSize: UInt64, payload: UInt64, freeBytes: UInt64, largestFree: UInt64, freeBlocks: Int,
                mapped: UInt64 = 0, mappedPayload: UInt64 = 0) {
        self.op = op
        self.heapSize = heapSize
        self.payload = payload
        self.freeBytes = freeBytes
        self.largestFree = largestFree
        self.freeBlocks = freeBlocks
        self.mapped = mapped
        self.mappedPayload = mappedPayload
    }

    /// 1 - largest free block / free bytes (0 without free bytes).
    public var externalFragmentation: Double {
        freeBytes == 0 ? 0 : 1 - Double(largestFree) / Double(freeBytes)
    }
}

/// The counts and figures of one allocator over one trace.
public struct HeapStats: Hashable, Sendable {
    /// Operations replayed.
    public var ops: UInt64 = 0
    /// Successful allocations, counted as memcheck counts them: every malloc, calloc, new, and
    /// every realloc (which is also a free when its pointer is not null).
    public var allocs: UInt64 = 0
    /// Frees of non-null pointers, including invalid ones and the old blocks of reallocs.
    public var frees: UInt64 = 0
    /// Realloc operations.
    public var reallocs: UInt64 = 0
    /// Bytes requested by the allocations.
    public var bytesAllocated: UInt64 = 0
    /// The heap's final size, which is its peak: it never shrinks.
    public var heapSize: UInt64 = 0
    /// The largest aggregate payload (bytes requested by live blocks, mapped chunks included) at
    /// any point.
    public var peakPayload: UInt64 = 0
    /// Operations done when the payload was last at its peak.
    public var peakOp: UInt64 = 0
    /// Chunks given their own mappings (glibc's requests of M_MMAP_THRESHOLD or more; 0 without
    /// the mmap rules), and those unmapped.
    public var mmaps: UInt64 = 0
    /// Mapped chunks unmapped (freed, or realloc'd to 0).
    public var munmaps: UInt64 = 0
    /// Reallocs of mapped chunks that changed the mapping's size (`mremap`).
    public var mremaps: UInt64 = 0
    /// The most bytes mapped for chunks at once.
    public var mmappedBytesPeak: UInt64 = 0
    /// Bytes mapped for chunks at the end.
    public var mmappedBytesAtExit: UInt64 = 0
    /// Chunks still mapped at the end.
    public var mmappedChunksAtExit: UInt64 = 0
    /// The mmap threshold at the end (raised by frees of mapped chunks); nil without the mmap rules.
    public var mmapThresholdAtExit: UInt64?
    /// Padding and headers of the allocated blocks, in bytes: at the end, and the most at any point.
    public var internalFragmentationAtExit: UInt64 = 0
    /// The most padding and headers at any point.
    public var internalFragmentationMax: UInt64 = 0
    /// Free-list length: at the end, the most, and the mean over operations.
    public var freeBlocksAtExit = 0
    /// The longest free list.
    public var freeBlocksMax = 0
    /// The mean free-list length over operations.
    public var freeBlocksMean = 0.0
    /// 1 - largest free / free bytes: at the end, and the mean and most over the samples.
    public var externalFragmentationAtExit = 0.0
    /// The mean over the samples.
    public var externalFragmentationMean = 0.0
    /// The largest over the samples.
    public var externalFragmentationMax = 0.0
    /// The free-list search lengths.
    public var search = SearchCounters()
    /// Bytes and blocks still allocated at the end.
    public var inUseAtExitBytes: UInt64 = 0
    /// Blocks still allocated at the end.
    public var inUseAtExitBlocks: UInt64 = 0
    /// How many of each diagnostic there were (the first ones are in `diagnostics`).
    public var diagnosticCounts: [HeapDiagnostic.Kind: UInt64] = [:]
    /// The first diagnostics, in trace order (at most `HeapSimulation.diagnosticLimit`).
    public var diagnostics: [HeapDiagnostic] = []
    /// The largest blocks allocated at the end, largest first (ties: earlier line first).
    public var leaks: [HeapLeak] = []
    /// The heap over time, at evenly spaced operations (the last one at the end).
    public var samples: [HeapSample] = []
    /// The first invariant violation found when checking was on (a bug in VMSim), else nil.
    public var invariantViolation: String?

    /// Zero counts.
    public init() {}

    /// CS:APP's utilization: peak payload / final heap size (0 for an empty heap); with mapped
    /// chunks, over the heap's size plus the most bytes mapped.
    public var peakUtilization: Double {
        let space = heapSize &+ mmappedBytesPeak
        return space == 0 ? 0 : Double(peakPayload) / Double(space)
    }

    /// How many diagnostics of `kind` there were.
    /// - Complexity: O(1) expected.
    public func count(_ kind: HeapDiagnostic.Kind) -> UInt64 { diagnosticCounts[kind] ?? 0 }
    /// Frees of blocks already freed.
    public var doubleFrees: UInt64 { count(.doubleFree) }
    /// Frees and reallocs of addresses never allocated.
    public var invalidFrees: UInt64 { count(.invalidFree) + count(.invalidRealloc) }
}
