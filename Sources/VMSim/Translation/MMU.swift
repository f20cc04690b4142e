/// Counts of an MMU's translations.
public struct TranslationStats: Hashable, Sendable {
    /// Translations requested (one per page an access touches).
    public var translations: UInt64 = 0
    /// Page-table walks (TLB misses in the last level, plus dirty-bit assists).
    public var walks: UInt64 = 0
    /// Entries read from memory by walks.
    public var walkReferences: UInt64 = 0
    /// Entries written by walks to set accessed and dirty bits.
    public var walkUpdates: UInt64 = 0
    /// Walks taken only to set the dirty bit of a page whose TLB entry was clean (a store hit).
    public var dirtyAssists: UInt64 = 0
    /// Failed translations by `TranslationFault` raw value.
    public var faults: [UInt64] = Array(repeating: 0, count: TranslationFault.count)
    /// Longest walk, in memory references.
    public var longestWalk: UInt64 = 0
    /// Zero counts.
    public init() {}
    /// Mean memory references per walk.
    public var referencesPerWalk: Double { walks == 0 ? 0 : Double(walkReferences) / Double(walks) }
    /// All faults.
    /// - Complexity: O(fault kinds).
    public var faultCount: UInt64 { faults.reduce(0, +) }
}

/// A memory-management unit: TLB hierarchy, paging-structure caches and one page table per
/// address space, over a simulated physical memory.
///
/// `translate` is what the hardware does on every access: probe the tier-1 TLB, then tier 2, then
/// walk (from the deepest paging-structure cache hit), fill the TLBs, and check permissions. A
/// fault is a result; it also drops any cached translation of the address, as x86 does.
///
///     var mmu = try MMU(format: .x86_64, tlb: .skylake, walkCache: .default, memory: FrameAllocator(bytes: 1 << 30),
///                       makeTable: { f, m throws(MapError) in try RadixPageTable(format: f, memory: &m) })
///     try mmu.map(VirtualAddress(0x1000), to: PhysicalAddress(0x20_0000), size: .base4K, flags: .userData)
///     mmu.translate(0x1234, AccessIntent(.load)).physical   // 0x20_0234
public struct MMU<Table: PageTable>: Sendable {
    /// The page-table format every address space uses.
    public let format: PageTableFormat
    /// The simulated physical memory the page tables come from.
    public var memory: FrameAllocator
    /// The page table of each address space; the index is its ASID / PCID.
    @usableFromInline var _spaces: ContiguousArray<Table>
    /// The page table of each address space; the index is its ASID / PCID.
    public var spaces: ContiguousArray<Table> { _spaces }
    /// The address space in use (CR3 / satp).
    public private(set) var current: Int = 0
    /// Whether TLB entries are tagged with the address space (x86 CR4.PCIDE, RISC-V ASIDs); without
    /// it a switch flushes every non-global entry.
    public var taggedAddressSpaces: Bool
    /// The processor: TLBs, paging-structure caches and counts.
    public var cpu: CPU
    /// The TLBs, with their contents and counts.
    public var tlb: TLBHierarchy {
        get { cpu.tlb }
        set { cpu.tlb = newValue }
    }
    /// The paging-structure caches, with their contents and counts.
    public var walkCache: WalkCache {
        get { cpu.walkCache }
        set { cpu.walkCache = newValue }
    }
    /// Translations, walks and faults so far.
    public var stats: TranslationStats {
        get { cpu.stats }
        set { cpu.stats = newValue }
    }
    /// Full TLB flushes caused by address-space switches.
    public private(set) var switchFlushes: UInt64 = 0
    @usableFromInline let makeTable: @Sendable (PageTableFormat, inout FrameAllocator) throws(MapError) -> Table

    /// An MMU with one empty address space (ASID 0).
    /// - Throws: `MapError.outOfMemory` when the memory cannot hold the first table.
    /// - Complexity: O(TLB entries + walk-cache entries) plus the first table `makeTable` builds.
    public init(format: PageTableFormat, tlb: TLBSpec, walkCache: WalkCacheSpec, memory: FrameAllocator,
                taggedAddressSpaces: Bool = true,
                makeTable: @escaping @Sendable (PageTableFormat, inout FrameAllocator) throws(MapError) -> Table) throws(MapError) {
        self.format = format
        self.memory = memory
        self.cpu = CPU(format: format, tlb: tlb, walkCache: walkCache, walkCaches: Table.usesWalkCaches)
        self.taggedAddressSpaces = taggedAddressSpaces
        self.makeTable = makeTable
        _spaces = [try makeTable(format, &self.memory)]
    }

    @inlinable var asid: UInt16 { taggedAddressSpaces ? UInt16(truncatingIfNeeded: current) : 0 }

    /// Translates `address` for `intent` through the TLBs and, on a miss, a walk.
    /// - Complexity: O(ways) on a TLB hit; O(levels + walk-cache entries) on a miss.
    @inlinable
    public mutating func translate(_ address: UInt64, _ intent: AccessIntent) -> WalkResult {
        cpu.translate(address, intent, in: &_spaces[current], pcid: asid)
    }

    // MARK: Page-table operations (the kernel's side)

    /// Maps a page in the current address space.
    /// - Complexity: O(levels) (radix), O(1) expected (hashed, inverted).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags) throws(MapError) -> TableUpdateCost {
        try _spaces[current].map(virtual, to: physical, size: size, flags: flags, memory: &memory)
    }

    /// Unmaps the page covering `virtual` in the current address space and invalidates its TLB
    /// entries and the paging-structure caches (the tables on its path may have been freed).
    /// - Complexity: as the table's unmap, plus an INVLPG: O(TLB ways + walk-cache entries).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress) throws(MapError) -> (Mapping, TableUpdateCost) {
        let result = try _spaces[current].unmap(virtual, memory: &memory)
        invalidate(result.0.virtual)
        return result
    }

    /// Changes the flags of the page covering `virtual` and invalidates its TLB entries.
    /// - Complexity: as the table's protect plus an INVLPG.
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        let old = try _spaces[current].protect(virtual, flags: flags)
        invalidate(old.virtual)
        return old
    }

    /// INVLPG / `sfence.vma addr`: drops the translations of `virtual` (this ASID's and global
    /// ones) from every TLB level, and every paging-structure cache entry.
    /// - Complexity: O(TLB arrays × ways + walk-cache entries).
    public mutating func invalidate(_ virtual: VirtualAddress) {
        cpu.invalidate(virtual.rawValue, pcid: asid)
    }

    /// Creates a new empty address space and returns its ASID.
    /// - Throws: `MapError.outOfMemory` when no frame is left for its root table.
    /// - Complexity: the cost of `makeTable`: O(entries of a root table) for a radix table.
    public mutating func createAddressSpace() throws(MapError) -> Int {
        _spaces.append(try makeTable(format, &memory))
        return _spaces.count - 1
    }

    /// Switches to address space `asid` (a CR3 / satp write). Without tagged address spaces every
    /// non-global TLB entry and the paging-structure caches are flushed; with them nothing is.
    /// - Complexity: O(TLB entries) without tags, O(1) with them.
    public mutating func switchAddressSpace(to asid: Int) {
        precondition(_spaces.indices.contains(asid), "no address space \(asid)")
        guard asid != current else { return }
        current = asid
        if !taggedAddressSpaces {
            cpu.flush(keepGlobal: true)
            switchFlushes += 1
        }
    }

    /// The page table of the current address space.
    public var table: Table { _spaces[current] }

    /// Page-table pages over every address space.
    /// - Complexity: O(address spaces).
    public var tablePages: Int { spaces.reduce(0) { $0 + $1.tablePages } }
}

extension MMU where Table == RadixPageTable {
    /// An MMU over radix page tables.
    /// - Complexity: O(TLB entries + walk-cache entries + entries of a root table).
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, walkCache: WalkCacheSpec = .default,
                memory: FrameAllocator, taggedAddressSpaces: Bool = true) throws(MapError) {
        try self.init(format: format, tlb: tlb, walkCache: walkCache, memory: memory, taggedAddressSpaces: taggedAddressSpaces,
                      makeTable: { f, m throws(MapError) in try RadixPageTable(format: f, memory: &m) })
    }
}
