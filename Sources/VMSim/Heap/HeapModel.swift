/// The heap allocators `vmsim heap` compares, by name.
public enum HeapPolicy: String, CaseIterable, Sendable {
    /// The policies, as the command line names them.
    case first, next, best, worst, segregated, tlsf, buddy

    /// A one-line description for `--help` and error messages.
    public var summary: String {
        switch self {
        case .first: "first fit: the lowest-address free block that fits"
        case .next: "next fit: the first fitting block at or after the end of the previous allocation, wrapping"
        case .best: "best fit: the smallest block that fits, lowest address on ties"
        case .worst: "worst fit: the largest block (lowest address on ties), if it fits"
        case .segregated: "segregated fits: power-of-two size classes, address-ordered first fit within a class"
        case .tlsf: "TLSF: two-level segregated fit, O(1) good fit (Masmano et al.)"
        case .buddy: "binary buddy heap: power-of-two blocks, buddies merge on free"
        }
    }

    /// Whether the policy runs on the explicit free-list heap (split from the front, coalescing by
    /// `--coalesce`), as opposed to the buddy heap.
    public var usesFreeListHeap: Bool { self != .buddy }
}

/// When free neighbours merge.
public enum Coalescing: String, CaseIterable, Sendable {
    /// On every free (and on every realloc that frees a tail).
    case immediate
    /// All at once, only when an allocation would otherwise grow the heap.
    case deferred
    /// Never.
    case none
}

/// The order of the plain linked free list whose search lengths are reported.
public enum FreeListOrder: String, CaseIterable, Sendable {
    /// By address, lowest first.
    case address
    /// By size, smallest first (address on ties).
    case sizeAscending = "size-asc"
    /// By size, largest first (address on ties).
    case sizeDescending = "size-desc"
    /// Most recently freed first (insert at the front).
    case lifo
    /// Least recently freed first (insert at the back).
    case fifo
}

/// The parameters of the reference heap model; the defaults are the model described in
/// docs/heap.md, so that results can be compared anywhere.
///
///     var model = HeapModel()          // 8-byte alignment, no header, base 0, immediate coalescing
///     model.blockSize(forRequest: 13)  // 16
public struct HeapModel: Hashable, Sendable {
    /// Requests are rounded up to a multiple of this (1 = no rounding).
    public var alignment: UInt64 = 8
    /// Bytes of header added to every block.
    public var header: UInt64 = 0
    /// The heap's first address.
    public var base: UInt64 = 0
    /// When free neighbours merge.
    public var coalescing: Coalescing = .immediate
    /// The list order whose search lengths are reported (first and next fit).
    public var order: FreeListOrder = .address
    /// The largest the heap may grow; `nil` is the 128 TiB user address space.
    public var heapLimit: UInt64?
    /// A heap that starts with one free block of this many bytes (OSTEP's fixed-size heap, with
    /// `heapLimit` equal to it); 0 starts empty.
    public var initialHeap: UInt64 = 0

    /// Large requests served by their own mappings instead of the heap (glibc's
    /// M_MMAP_THRESHOLD); nil keeps every block in the heap.
    public var mmap: MallocMmap?

    /// The address-space limit used when `heapLimit` is nil: 2^47 bytes, x86-64's user half.
    public static let addressSpaceLimit: UInt64 = 1 << 47

    /// A model; the defaults are the reference model.
    public init(alignment: UInt64 = 8, header: UInt64 = 0, base: UInt64 = 0, coalescing: Coalescing = .immediate,
                order: FreeListOrder = .address, heapLimit: UInt64? = nil, initialHeap: UInt64 = 0) {
        self.alignment = Swift.max(1, alignment)
        self.header = header
        self.base = base
        self.coalescing = coalescing
        self.order = order
        self.heapLimit = heapLimit
        self.initialHeap = initialHeap
    }

    /// Close to glibc malloc's chunks on x86-64: 16-byte alignment and a 16-byte header (glibc's
    /// chunk is the request plus its 8-byte size field rounded up to 16, at least 32 bytes, so
    /// this model's blocks are at most 8 bytes larger).
    /// Requests whose chunk is at least M_MMAP_THRESHOLD (128 KiB, raised dynamically on free) and
    /// that no free block holds get their own mapping, as glibc's `sysmalloc` gives them.
    public static let glibcLike: HeapModel = {
        var m = HeapModel(alignment: 16, header: 16)
        m.mmap = MallocMmap()
        return m
    }()

    /// The effective heap limit.
    @inlinable public var limit: UInt64 { Swift.min(heapLimit ?? Self.addressSpaceLimit, Self.addressSpaceLimit) }

    /// The block a request of `n` bytes takes: round_up(max(n, 1), alignment) + header, or nil
    /// when that is beyond any heap.
    /// - Complexity: O(1).
    @inlinable
    public func blockSize(forRequest n: UInt64) -> UInt64? {
        guard n <= Self.addressSpaceLimit else { return nil }
        let m = Swift.max(n, 1)
        let a = alignment
        guard a <= Self.addressSpaceLimit else { return nil }
        // m and a are at most 2^47, so m + a - 1 < 2^48: no overflow.
        let rounded = a & (a &- 1) == 0 ? (m &+ a &- 1) & ~(a &- 1) : (m &+ a &- 1) / a &* a
        let (size, overflow) = rounded.addingReportingOverflow(header)
        return overflow ? nil : size
    }
}

/// glibc malloc's use of mmap for large requests (x86-64, glibc 2.26 and later), as `sysmalloc`,
/// `sysmalloc_mmap`, `__libc_free` and `mremap_chunk` in malloc/malloc.c do it:
/// - a request of `n` bytes is a chunk of `request2size(n)` = max(32, (n + 8 + 15) & ~15) bytes;
/// - when no free block (and not the top of the heap) holds that chunk, `sysmalloc` maps it on
///   its own if the chunk is at least `threshold` and fewer than `maxChunks` chunks are mapped,
///   else it grows the heap;
/// - the mapping is round_up(chunk + 8, page) bytes, of which all but the 16-byte header is usable;
/// - freeing a mapped chunk unmaps it and, while the threshold is dynamic, raises the threshold to
///   the chunk's size when that is above it and at most `maxThreshold` (`__libc_free`);
/// - realloc of a mapped chunk remaps it (`mremap_chunk`; the same rounded size stays put).
///
///     let m = MallocMmap()
///     m.chunkSize(forRequest: 131056)    // 131072: at the 128 KiB threshold, mapped
///     m.mappingSize(forRequest: 200000)  // 200704
public struct MallocMmap: Hashable, Sendable {
    /// Chunks at least this large are mapped (DEFAULT_MMAP_THRESHOLD, 128 KiB).
    public var threshold: UInt64 = 128 << 10
    /// Whether freeing a mapped chunk raises the threshold (true until the program sets
    /// M_MMAP_THRESHOLD with mallopt).
    public var dynamic = true
    /// The most the dynamic threshold rises to (DEFAULT_MMAP_THRESHOLD_MAX, 32 MiB on 64-bit).
    public var maxThreshold: UInt64 = 32 << 20
    /// The most chunks mapped at once (DEFAULT_MMAP_MAX).
    public var maxChunks = 65536
    /// The page size mappings are rounded to.
    public var pageSize: UInt64 = 4096

    /// glibc's defaults; `threshold` as M_MMAP_THRESHOLD given to mallopt (which also turns the
    /// dynamic threshold off) when `dynamic` is false.
    public init(threshold: UInt64 = 128 << 10, dynamic: Bool = true) {
        self.threshold = threshold
        self.dynamic = dynamic
    }

    /// `request2size(n)`: the chunk a request of `n` bytes needs.
    /// - Complexity: O(1).
    @inlinable
    public func chunkSize(forRequest n: UInt64) -> UInt64 {
        let m = Swift.min(n, HeapModel.addressSpaceLimit)
        return Swift.max(32, (m &+ 8 &+ 15) & ~15)
    }

    /// The bytes `sysmalloc_mmap` maps for a request of `n` bytes: the chunk and its trailing size
    /// field, rounded up to a page.
    /// - Complexity: O(1).
    @inlinable
    public func mappingSize(forRequest n: UInt64) -> UInt64 {
        let p = Swift.max(pageSize, 1)
        return (chunkSize(forRequest: n) &+ 8 &+ p &- 1) / p &* p
    }
}

/// One operation of an allocation trace, with the trace line it came from (for diagnostics).
///
/// Ids name blocks: the malloc-lab id, the OSTEP pointer index, or the address a Valgrind trace
/// shows. A realloc may give the block a new id (Valgrind's returned address).
public struct HeapOp: Hashable, Sendable {
    /// What the operation does.
    public enum Kind: UInt8, Sendable {
        /// Allocate `size` bytes as `id`.
        case alloc
        /// Free `id`.
        case free
        /// Resize `id` to `size` bytes; the block is then called `newID`.
        case realloc
    }

    /// Flags that say how a trace's pointers behave.
    public struct Flags: OptionSet, Hashable, Sendable {
        /// The flag bits.
        public let rawValue: UInt8
        /// The flags `rawValue`.
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// realloc of an id never allocated is C's realloc(NULL, n): an allocation (malloc-lab and
        /// OSTEP ids start out as null pointers). Without it, it is a realloc of an invalid pointer.
        public static let unknownIsNull = Flags(rawValue: 1)
        /// The traced program's realloc returned NULL: it counts (as memcheck counts it) but
        /// changes no block.
        public static let failedInTrace = Flags(rawValue: 2)
    }

    /// Allocation, free or realloc.
    public var kind: Kind
    /// How the trace's pointers behave.
    public var flags: Flags
    /// The block's id: its name in the trace.
    public var id: UInt64
    /// The id the block has after a realloc (`id` otherwise).
    public var newID: UInt64
    /// The bytes requested (alloc, realloc).
    public var size: UInt64
    /// The 1-based line of the trace.
    public var line: Int

    /// An operation; `newID` defaults to `id`.
    public init(kind: Kind, id: UInt64, newID: UInt64? = nil, size: UInt64 = 0, line: Int = 0, flags: Flags = []) {
        self.kind = kind
        self.flags = flags
        self.id = id
        self.newID = newID ?? id
        self.size = size
        self.line = line
    }

    /// `malloc(size)` as `id`.
    /// - Complexity: O(1).
    public static func alloc(_ id: UInt64, _ size: UInt64, line: Int = 0) -> HeapOp {
        HeapOp(kind: .alloc, id: id, size: size, line: line)
    }

    /// `free(id)`.
    /// - Complexity: O(1).
    public static func free(_ id: UInt64, line: Int = 0) -> HeapOp {
        HeapOp(kind: .free, id: id, line: line)
    }

    /// `realloc(id, size)`, keeping the id; an unknown id is a null pointer (malloc-lab semantics).
    /// - Complexity: O(1).
    public static func realloc(_ id: UInt64, _ size: UInt64, line: Int = 0) -> HeapOp {
        HeapOp(kind: .realloc, id: id, size: size, line: line, flags: .unknownIsNull)
    }
}
