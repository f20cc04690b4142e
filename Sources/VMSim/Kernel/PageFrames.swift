/// The kernel's per-frame state, the parts of `struct page` / `struct folio` that the memory
/// manager uses beside the buddy allocator's own (which `PhysicalMemory` keeps): flags, the
/// reference and map counts, the reverse map (`folio->mapping` as the anon_vma, `folio->index`
/// as the virtual page), the swap slot of a page in the swap cache (`folio->swap`) and the
/// page's content token. The LRU links are in `LRUVector`, keyed by the same frame number.
///
/// - Complexity: O(1) per access; 40 bytes per frame.
public struct PageFrames: Sendable {
    /// Page flags (`enum pageflags`), the ones the kernel model uses.
    public struct Flags: OptionSet, Hashable, Sendable {
        public var rawValue: UInt16
        @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
        /// `PG_lru`: on an LRU list.
        public static let lru = Flags(rawValue: 1 << 0)
        /// `PG_referenced`: seen referenced once by reclaim (`folio_check_references`).
        public static let referenced = Flags(rawValue: 1 << 1)
        /// `PG_dirty`: must be written before it is dropped.
        public static let dirty = Flags(rawValue: 1 << 2)
        /// `PageAnon` (`PAGE_MAPPING_ANON`): an anonymous page; its mapping is an anon_vma.
        public static let anon = Flags(rawValue: 1 << 3)
        /// `PG_swapcache`: in the swap cache, `swap` naming its slot.
        public static let swapCache = Flags(rawValue: 1 << 4)
        /// `PG_reserved`: the shared zero page.
        public static let reserved = Flags(rawValue: 1 << 5)
        /// A page-table page (`PG_table`, `PageTable()`).
        public static let pageTable = Flags(rawValue: 1 << 6)
        /// `PG_swapbacked`: backed by swap (anonymous and shmem pages).
        public static let swapBacked = Flags(rawValue: 1 << 7)
        /// `PG_workingset`: was active before it was deactivated (workingset restore detection).
        public static let workingset = Flags(rawValue: 1 << 8)
        /// `folio_test_ksm`: a KSM page, shared read-only by the mappings KSM merged into it.
        public static let ksm = Flags(rawValue: 1 << 9)
    }

    /// One frame.
    public struct Frame: Sendable {
        /// Flags.
        public var flags: Flags = []
        /// `folio_mapcount`: page-table entries that map it.
        public var mapcount: Int32 = 0
        /// The anon_vma (the fork family of address spaces) an anonymous page belongs to, or -1.
        public var anonVma: Int32 = -1
        /// The swap slot while in the swap cache (0: none).
        public var swap: UInt32 = 0
        /// `folio->index` for an anonymous page: its virtual page number in every address space
        /// of its anon_vma that maps it.
        public var index: UInt64 = 0
        /// The content token: who wrote the page last and when (0: zero-filled).
        public var content: UInt64 = 0
        /// The file a page-cache page belongs to (`folio->mapping` as an address_space), or -1.
        public var file: Int32 = -1
        /// `folio_order`: 9 for the head of a PMD-mapped huge page, else 0.
        public var order: UInt8 = 0
    }

    /// The frames, indexed by pfn.
    public internal(set) var frames: ContiguousArray<Frame>

    /// `pages` frames with nothing set.
    /// - Complexity: O(pages).
    public init(pages: Int) {
        frames = ContiguousArray(repeating: Frame(), count: pages)
    }

    /// The frame `pfn`.
    public subscript(pfn: Int) -> Frame {
        get { frames[pfn] }
        _modify { yield &frames[pfn] }
    }
}
