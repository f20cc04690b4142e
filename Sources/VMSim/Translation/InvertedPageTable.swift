/// An inverted page table (IBM System/38, RS/6000, PowerPC's ancestors): one entry per physical
/// frame, saying which virtual page it holds, and a hash anchor table (HAT) that maps a hashed
/// virtual page number to the first frame of a chain of frames with that hash.
///
/// The table's size follows physical memory, not the virtual address space: `frames` entries of
/// 24 bytes plus a 4-byte anchor per frame (rounded up to a power of two). A lookup reads the
/// anchor and then each chained entry it compares: `references` = 1 + probe length.
///
/// Consequences the literature points out and VMSim keeps: it holds base pages only, a frame
/// holds one virtual page (no sharing), and frames outside the memory it covers cannot be mapped.
/// VMSim keeps one inverted table per address space; a real one is shared and tags entries with
/// the address-space id.
public struct InvertedPageTable: ChainedPageTable {
    /// The format whose addresses and page sizes the table serves.
    public let format: PageTableFormat
    /// False: an inverted table has no upper levels to cache.
    public static var usesWalkCaches: Bool { false }

    /// Link `i` is frame `firstFrame + i`; the heads are the hash anchor table.
    @usableFromInline var chains: HashChains
    /// The frame of link 0.
    public let firstFrame: UInt64
    @usableFromInline let shift: UInt64
    public private(set) var mappedPages: Int = 0
    @usableFromInline var probeStats = ProbeStats()
    /// Chain lengths walked so far.
    public var probes: ProbeStats { probeStats }

    /// A table covering the frames of `memory`.
    /// - Complexity: O(frames).
    public init(format: PageTableFormat, memory: FrameAllocator) {
        self.format = format
        firstFrame = memory.firstFrame
        let frames = Int(memory.totalFrames)
        chains = HashChains(heads: frames, capacity: frames)
        shift = UInt64(format.basePage.shift)
    }

    /// Bytes of the hash anchor table and the per-frame entries.
    public var tableBytes: Int { chains.bytes }
    /// `tableBytes` in base pages, rounded up.
    public var tablePages: Int { (tableBytes + Int(format.basePage.bytes) - 1) / Int(format.basePage.bytes) }

    /// Hashes the page, follows the chain of frames, checks permissions and sets A/D.
    /// - Complexity: O(1 + chain length).
    @inlinable
    public mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult {
        chainedWalk(address, intent)
    }

    /// The mapping covering `virtual`, without side effects.
    /// - Complexity: O(1 + chain length).
    public func mapping(at virtual: VirtualAddress) -> Mapping? { chainedMapping(at: virtual) }

    /// Fills the frame's entry and links it into its hash chain.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                             memory: inout some FrameSource) throws(MapError) -> TableUpdateCost {
        let (vpn, probes) = try chainedCheck(virtual, physical, size: size, flags: flags, kind: "an inverted")
        let frame = physical.rawValue >> shift
        let count = UInt64(chains.links.count)
        guard frame >= firstFrame, frame - firstFrame < count else {
            throw .unsupported("an inverted page table has entries only for the frames of its memory "
                + "(\(PhysicalAddress(firstFrame << shift)) to \(PhysicalAddress(((firstFrame + count) << shift) - 1))); \(physical) is outside")
        }
        let index = Int(frame - firstFrame)
        if chains.links[index].entry != 0 {
            throw .unsupported("frame \(physical) already holds page \(VirtualAddress(chains.links[index].vpn << shift)); an inverted page table has one entry per frame, so a frame cannot be shared")
        }
        chains.link(vpn, entry: format.bits.leafEntry(physical.rawValue, flags: flags, huge: false), at: Int32(index))
        mappedPages += 1
        var cost = TableUpdateCost()
        cost.references = Int(probes) + 1
        cost.writes = 2
        return cost
    }

    /// Unlinks the frame from its chain and clears it.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress, memory: inout some FrameSource) throws(MapError) -> (Mapping, TableUpdateCost) {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        let (_, references) = chains.unlink(virtual.rawValue >> shift)
        mappedPages -= 1
        var cost = TableUpdateCost()
        cost.references = references
        cost.writes = 1
        return (m, cost)
    }

    /// Rewrites the frame's entry with `flags`.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        try chainedProtect(virtual, flags: flags)
    }
}

extension MMU where Table == InvertedPageTable {
    /// An MMU over inverted page tables covering `memory`.
    /// - Complexity: O(TLB entries + memory frames) to allocate the TLBs and the per-frame entries.
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, memory: FrameAllocator, taggedAddressSpaces: Bool = true) throws(MapError) {
        try self.init(format: format, tlb: tlb, walkCache: .none, memory: memory, taggedAddressSpaces: taggedAddressSpaces,
                      makeTable: { f, m throws(MapError) in InvertedPageTable(format: f, memory: m) })
    }
}
