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
public struct InvertedPageTable: PageTable {
    public let format: PageTableFormat
    public static var usesWalkCaches: Bool { false }

    @usableFromInline struct Slot: Sendable {
        @usableFromInline var vpn: UInt64
        /// The leaf entry in the format's encoding; 0 when the frame holds no page.
        @usableFromInline var entry: UInt64
        @usableFromInline var next: Int32
    }

    @usableFromInline var anchors: ContiguousArray<Int32>
    @usableFromInline var slots: ContiguousArray<Slot>
    /// The frame of `slots[0]`.
    public let firstFrame: UInt64
    @usableFromInline let shift: UInt64
    @usableFromInline let hashShift: UInt64
    public private(set) var mappedPages: Int = 0
    @usableFromInline var probeStats = ProbeStats()
    public var probes: ProbeStats { probeStats }

    /// A table covering the frames of `memory`.
    public init(format: PageTableFormat, memory: FrameAllocator) {
        self.format = format
        firstFrame = memory.firstFrame
        let frames = Int(memory.totalFrames)
        var n = 16
        while n < frames { n <<= 1 }
        anchors = ContiguousArray(repeating: -1, count: n)
        slots = ContiguousArray(repeating: Slot(vpn: 0, entry: 0, next: -1), count: frames)
        shift = UInt64(format.basePage.shift)
        hashShift = UInt64(64 - n.trailingZeroBitCount)
    }

    @inlinable func anchor(_ vpn: UInt64) -> Int {
        Int(truncatingIfNeeded: (vpn &* 0x9E37_79B9_7F4A_7C15) >> hashShift)
    }

    public var tableBytes: Int { anchors.count * 4 + slots.count * 24 }
    public var tablePages: Int { (tableBytes + Int(format.basePage.bytes) - 1) / Int(format.basePage.bytes) }

    @inlinable func find(_ vpn: UInt64) -> (slot: Int32, probes: UInt64) {
        var i = anchors[anchor(vpn)]
        var probes: UInt64 = 0
        while i >= 0 {
            probes &+= 1
            if slots[Int(i)].vpn == vpn { return (i, probes) }
            i = slots[Int(i)].next
        }
        return (-1, probes)
    }

    /// Hashes the page, follows the chain of frames, checks permissions and sets A/D.
    /// - Complexity: O(1 + chain length).
    @inlinable
    public mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult {
        guard format.isCanonical(address) else { return WalkResult(fault: .nonCanonical) }
        let (slot, probes) = find(address >> shift)
        probeStats.record(probes)
        let references = UInt8(truncatingIfNeeded: min(probes &+ 1, 255))
        guard slot >= 0 else { return WalkResult(references: references, fault: .notPresent) }
        return finishLeaf(&slots[Int(slot)].entry, address: address, intent: intent, references: references, format: format)
    }

    public func mapping(at virtual: VirtualAddress) -> Mapping? {
        guard format.isCanonical(virtual.rawValue) else { return nil }
        let (slot, _) = find(virtual.rawValue >> shift)
        guard slot >= 0 else { return nil }
        let e = slots[Int(slot)].entry
        return Mapping(virtual: VirtualAddress((virtual.rawValue >> shift) << shift), physical: PhysicalAddress(format.bits.physicalAddress(e)),
                       size: format.basePage, flags: format.bits.flags(of: e))
    }

    /// Fills the frame's entry and links it into its hash chain.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                             memory: inout FrameAllocator) throws(MapError) -> TableUpdateCost {
        try format.validate(virtual, physical, size: size, flags: flags)
        guard size == format.basePage else {
            throw .unsupported("an inverted page table holds \(format.basePage) pages only, not \(size)")
        }
        let frame = physical.rawValue >> shift
        guard frame >= firstFrame, frame - firstFrame < UInt64(slots.count) else {
            throw .unsupported("an inverted page table has entries only for the frames of its memory "
                + "(\(PhysicalAddress(firstFrame << shift)) to \(PhysicalAddress((firstFrame + UInt64(slots.count)) << shift - 1))); \(physical) is outside")
        }
        let vpn = virtual.rawValue >> shift
        let (existing, probes) = find(vpn)
        if existing >= 0 { throw .overlaps(mapping(at: virtual)!) }
        let index = Int(frame - firstFrame)
        if slots[index].entry != 0 {
            throw .unsupported("frame \(physical) already holds page \(VirtualAddress(slots[index].vpn << shift)); an inverted page table has one entry per frame, so a frame cannot be shared")
        }
        let a = anchor(vpn)
        slots[index] = Slot(vpn: vpn, entry: format.bits.leafEntry(physical.rawValue, flags: flags, huge: false), next: anchors[a])
        anchors[a] = Int32(index)
        mappedPages += 1
        var cost = TableUpdateCost()
        cost.references = Int(probes) + 1
        cost.writes = 2
        return cost
    }

    /// Unlinks the frame from its chain and clears it.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress, memory: inout FrameAllocator) throws(MapError) -> (Mapping, TableUpdateCost) {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        let vpn = virtual.rawValue >> shift
        let a = anchor(vpn)
        var prev: Int32 = -1
        var i = anchors[a]
        var cost = TableUpdateCost()
        cost.references = 1
        while slots[Int(i)].vpn != vpn || slots[Int(i)].entry == 0 {
            prev = i
            i = slots[Int(i)].next
            cost.references += 1
        }
        if prev < 0 { anchors[a] = slots[Int(i)].next } else { slots[Int(prev)].next = slots[Int(i)].next }
        slots[Int(i)] = Slot(vpn: 0, entry: 0, next: -1)
        mappedPages -= 1
        cost.writes = 1
        return (m, cost)
    }

    /// Rewrites the frame's entry with `flags`.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        try format.validate(m.virtual, m.physical, size: m.size, flags: flags)
        let (slot, _) = find(virtual.rawValue >> shift)
        slots[Int(slot)].entry = format.bits.leafEntry(m.physical.rawValue, flags: flags, huge: false)
        return m
    }
}

extension MMU where Table == InvertedPageTable {
    /// An MMU over inverted page tables covering `memory`.
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, memory: FrameAllocator, taggedAddressSpaces: Bool = true) throws(MapError) {
        try self.init(format: format, tlb: tlb, walkCache: .none, memory: memory, taggedAddressSpaces: taggedAddressSpaces,
                      makeTable: { f, m throws(MapError) in InvertedPageTable(format: f, memory: m) })
    }
}
