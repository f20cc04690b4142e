/// A hashed page table with chaining, as the classic literature describes it (and PA-RISC and
/// IA-64's long-format VHPT build it): the virtual page number hashes to a bucket, whose chain of
/// entries is searched for the page. Each entry is the format's leaf encoding plus the page number
/// as a tag and a link.
///
/// It holds base pages only. A lookup reads the bucket head and then each chain entry it compares:
/// `references` = 1 + probe length. Probe lengths are recorded in `probes`.
///
/// Its structures are counted in `tableBytes` (buckets of 4 bytes, entries of 24 bytes) rather
/// than taken from the frame allocator.
public struct HashedPageTable: ChainedPageTable {
    /// The format whose addresses and page sizes the table serves.
    public let format: PageTableFormat
    /// False: a hashed table has no upper levels to cache.
    public static var usesWalkCaches: Bool { false }

    @usableFromInline var chains: HashChains
    /// The first free node, linked through `next`.
    @usableFromInline var freeNode: Int32 = -1
    @usableFromInline let shift: UInt64
    public private(set) var mappedPages: Int = 0
    @usableFromInline var probeStats = ProbeStats()
    /// Chain lengths walked so far.
    public var probes: ProbeStats { probeStats }

    /// A table with `buckets` chains (rounded up to a power of two).
    /// - Complexity: O(buckets).
    public init(format: PageTableFormat, buckets: Int) {
        self.format = format
        chains = HashChains(heads: buckets, capacity: 0)
        shift = UInt64(format.basePage.shift)
    }

    /// Bytes of buckets and chain nodes.
    public var tableBytes: Int { chains.bytes }
    /// `tableBytes` in base pages, rounded up.
    public var tablePages: Int { (tableBytes + Int(format.basePage.bytes) - 1) / Int(format.basePage.bytes) }

    /// Looks the page up, checks permissions and sets A/D in its entry.
    /// - Complexity: O(1 + chain length).
    @inlinable
    public mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult {
        chainedWalk(address, intent)
    }

    /// The mapping covering `virtual`, without side effects.
    /// - Complexity: O(1 + chain length).
    public func mapping(at virtual: VirtualAddress) -> Mapping? { chainedMapping(at: virtual) }

    /// Inserts the page at the head of its chain, in a free node or a new one.
    /// - Complexity: O(1 + chain length) (the chain is searched for an overlap).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                             memory: inout some FrameSource) throws(MapError) -> TableUpdateCost {
        let (vpn, probes) = try chainedCheck(virtual, physical, size: size, flags: flags, kind: "a hashed")
        let node: Int32
        if freeNode >= 0 {
            node = freeNode
            freeNode = chains.links[Int(node)].next
        } else {
            node = Int32(chains.links.count)
            chains.links.append(HashChains.Link(vpn: 0, entry: 0, next: -1))
        }
        chains.link(vpn, entry: format.bits.leafEntry(physical.rawValue, flags: flags, huge: false), at: node)
        mappedPages += 1
        var cost = TableUpdateCost()
        cost.references = Int(probes) + 1
        cost.writes = 2
        return cost
    }

    /// Unlinks the page from its chain; its node goes to the free list.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress, memory: inout some FrameSource) throws(MapError) -> (Mapping, TableUpdateCost) {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        let (node, references) = chains.unlink(virtual.rawValue >> shift)
        chains.links[Int(node)].next = freeNode
        freeNode = node
        mappedPages -= 1
        var cost = TableUpdateCost()
        cost.references = references
        cost.writes = 1
        return (m, cost)
    }

    /// Rewrites the page's entry with `flags`.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        try chainedProtect(virtual, flags: flags)
    }
}

extension MMU where Table == HashedPageTable {
    /// An MMU over hashed page tables with one bucket per 4 frames of `memory` (at least 1024).
    /// - Complexity: O(TLB entries + memory frames / 4) to allocate the TLBs and the buckets.
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, memory: FrameAllocator, taggedAddressSpaces: Bool = true) throws(MapError) {
        let buckets = max(1024, Int(memory.totalFrames / 4))
        try self.init(format: format, tlb: tlb, walkCache: .none, memory: memory, taggedAddressSpaces: taggedAddressSpaces,
                      makeTable: { f, _ throws(MapError) in HashedPageTable(format: f, buckets: buckets) })
    }
}
