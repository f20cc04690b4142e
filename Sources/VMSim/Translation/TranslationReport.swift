/// The page-table organisations `vmsim translate` can run.
public enum PageTableOrganisation: String, CaseIterable, Hashable, Sendable {
    /// Radix (multi-level), hashed, or inverted.
    case radix, hashed, inverted

    /// A one-line description for `--help`.
    public var summary: String {
        switch self {
        case .radix: "multi-level table in the format's real encoding, walk caches apply"
        case .hashed: "hashed page table with chaining (base pages only)"
        case .inverted: "inverted page table: one entry per frame, hash anchor table (base pages only)"
        }
    }
}

/// Everything a trace translation run is configured with.
public struct TranslationConfig: Hashable, Sendable {
    /// The page-table format.
    public var format: PageTableFormat
    /// The organisation of the page tables.
    public var organisation: PageTableOrganisation
    /// The TLB hierarchy.
    public var tlb: TLBSpec
    /// The paging-structure caches.
    public var walkCache: WalkCacheSpec
    /// Simulated physical memory.
    public var memoryBytes: UInt64
    /// The pages mapped on first touch.
    public var mapSize: PageSize

    /// A configuration; maps base pages of `format` unless `mapSize` says otherwise.
    public init(format: PageTableFormat, organisation: PageTableOrganisation = .radix, tlb: TLBSpec = .skylake,
                walkCache: WalkCacheSpec = .default, memoryBytes: UInt64 = 4 << 30, mapSize: PageSize? = nil) {
        self.format = format
        self.organisation = organisation
        self.tlb = tlb
        self.walkCache = walkCache
        self.memoryBytes = memoryBytes
        self.mapSize = mapSize ?? format.basePage
    }

    /// Why the configuration cannot run, or nothing.
    /// - Throws: `FormatError` with a sentence naming the valid choices.
    /// - Complexity: O(levels).
    public func validate() throws(FormatError) {
        guard format.level(mapping: mapSize) != nil else {
            throw FormatError("\(format.name) cannot map \(mapSize) pages; it maps \(format.pageSizes.map(\.description).joined(separator: ", "))")
        }
        if organisation != .radix && mapSize != format.basePage {
            throw FormatError("a \(organisation.rawValue) page table holds \(format.basePage) pages only; map \(format.basePage) pages or use a radix table")
        }
        let frames = memoryBytes >> UInt64(format.basePage.shift)
        guard frames > (1 << 20) >> UInt64(format.basePage.shift) + 16 else {
            throw FormatError("physical memory of \(ByteSize.format(memoryBytes)) is too small; give at least 2M")
        }
        guard format.physicalBits >= 64 || memoryBytes <= UInt64(1) << UInt64(format.physicalBits) else {
            throw FormatError("physical memory of \(ByteSize.format(memoryBytes)) is more than \(format.name)'s \(format.physicalBits)-bit physical addresses reach")
        }
        guard frames <= 1 << 28 else {
            throw FormatError("physical memory of \(ByteSize.format(memoryBytes)) is more than VMSim simulates (at most 2^28 frames)")
        }
    }
}

/// The outcome of `vmsim translate TRACE`.
public struct TranslationReport: Sendable {
    /// The trace: its name, format and access records (Lackey lines with an access), by kind.
    public var trace: TraceSummary
    /// The configuration the run used.
    public var config: TranslationConfig
    /// Counts per TLB level.
    public var tlbLevels: [TLBLevelStats]
    /// Hits per paging-structure cache.
    public var walkCaches: [WalkCacheLevelStats]
    /// Translations, walks and faults.
    public var stats: TranslationStats
    /// Page faults and untranslatable accesses.
    public var counts: TraceTranslationCounts
    /// Page-table structures: pages and bytes now, the peak pages (radix), tables per level (radix).
    public var tablePages: Int
    /// The most page-table pages in use at once.
    public var peakTablePages: Int
    /// Bytes of page tables in use.
    public var tableBytes: Int
    /// Tables in use per level (radix tables only).
    public var tablesPerLevel: [Int]?
    /// Leaf mappings at the end.
    public var mappedPages: Int
    /// Chain lengths walked (hashed and inverted tables only).
    public var probes: ProbeStats?
    /// Frames of simulated memory allocated at the end.
    public var framesAllocated: UInt64
    /// The most frames allocated at once.
    public var peakFrames: UInt64
    /// Where the physical trace went, and its lines.
    public var emittedPath: String?
    /// Lines written to the physical trace.
    public var emittedLines: UInt64?
    /// Each TLB level's lookups and hits, the walks and the page faults over the records (at most
    /// 1,000 evenly spaced points, the last at the end).
    public var series: Series?

    /// Collects the report of a finished run.
    /// - Complexity: O(TLB levels and arrays + walk caches + radix levels).
    public init<T: PageTable>(trace: TraceSummary, config: TranslationConfig, run: TraceTranslation<T>) {
        self.trace = trace
        self.config = config
        let mmu = run.mmu
        tlbLevels = mmu.tlb.stats
        walkCaches = mmu.walkCache.stats
        stats = mmu.stats
        counts = run.counts
        let table = mmu.table
        tablePages = table.tablePages
        tableBytes = table.tableBytes
        mappedPages = table.mappedPages
        if let radix = table as? RadixPageTable {
            peakTablePages = radix.peakTablePages
            tablesPerLevel = radix.tablesPerLevel
            probes = nil
        } else {
            peakTablePages = table.tablePages
            tablesPerLevel = nil
            probes = table.probes
        }
        framesAllocated = mmu.memory.allocatedFrames
        peakFrames = mmu.memory.peakFrames
    }
}
