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
public struct HashedPageTable: PageTable {
    public let format: PageTableFormat
    public static var usesWalkCaches: Bool { false }

    @usableFromInline struct Node: Sendable {
        @usableFromInline var vpn: UInt64
        @usableFromInline var entry: UInt64
        @usableFromInline var next: Int32
    }

    @usableFromInline var heads: ContiguousArray<Int32>
    @usableFromInline var nodes: ContiguousArray<Node>
    @usableFromInline var freeNode: Int32 = -1
    @usableFromInline let shift: UInt64
    @usableFromInline let hashShift: UInt64
    public private(set) var mappedPages: Int = 0
    @usableFromInline var probeStats = ProbeStats()
    public var probes: ProbeStats { probeStats }

    /// A table with `buckets` chains (rounded up to a power of two).
    public init(format: PageTableFormat, buckets: Int) {
        self.format = format
        var n = 16
        while n < buckets { n <<= 1 }
        heads = ContiguousArray(repeating: -1, count: n)
        nodes = []
        shift = UInt64(format.basePage.shift)
        hashShift = UInt64(64 - n.trailingZeroBitCount)
    }

    @inlinable func bucket(_ vpn: UInt64) -> Int {
        Int(truncatingIfNeeded: (vpn &* 0x9E37_79B9_7F4A_7C15) >> hashShift)
    }

    public var tableBytes: Int { heads.count * 4 + nodes.count * 24 }
    public var tablePages: Int { (tableBytes + Int(format.basePage.bytes) - 1) / Int(format.basePage.bytes) }

    /// The node holding `vpn` and the number of nodes examined.
    @inlinable func find(_ vpn: UInt64) -> (node: Int32, probes: UInt64) {
        var i = heads[bucket(vpn)]
        var probes: UInt64 = 0
        while i >= 0 {
            probes &+= 1
            if nodes[Int(i)].vpn == vpn { return (i, probes) }
            i = nodes[Int(i)].next
        }
        return (-1, probes)
    }

    /// Looks the page up, checks permissions and sets A/D in its entry.
    /// - Complexity: O(1 + chain length).
    @inlinable
    public mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult {
        guard format.isCanonical(address) else { return WalkResult(fault: .nonCanonical) }
        let vpn = address >> shift
        let (node, probes) = find(vpn)
        probeStats.record(probes)
        let references = UInt8(truncatingIfNeeded: min(probes &+ 1, 255))
        guard node >= 0 else { return WalkResult(references: references, fault: .notPresent) }
        return finishLeaf(&nodes[Int(node)].entry, address: address, intent: intent, references: references, format: format)
    }

    public func mapping(at virtual: VirtualAddress) -> Mapping? {
        guard format.isCanonical(virtual.rawValue) else { return nil }
        let (node, _) = find(virtual.rawValue >> shift)
        guard node >= 0 else { return nil }
        let e = nodes[Int(node)].entry
        return Mapping(virtual: VirtualAddress((virtual.rawValue >> shift) << shift), physical: PhysicalAddress(format.bits.physicalAddress(e)),
                       size: format.basePage, flags: format.bits.flags(of: e))
    }

    /// Inserts the page at the head of its chain.
    /// - Complexity: O(1 + chain length) (the chain is searched for an overlap).
    @discardableResult
    public mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                             memory: inout FrameAllocator) throws(MapError) -> TableUpdateCost {
        try format.validate(virtual, physical, size: size, flags: flags)
        guard size == format.basePage else {
            throw .unsupported("a hashed page table holds \(format.basePage) pages only, not \(size)")
        }
        let vpn = virtual.rawValue >> shift
        let (existing, probes) = find(vpn)
        if existing >= 0 { throw .overlaps(mapping(at: virtual)!) }
        let node = Node(vpn: vpn, entry: format.bits.leafEntry(physical.rawValue, flags: flags, huge: false), next: heads[bucket(vpn)])
        let id: Int32
        if freeNode >= 0 {
            id = freeNode
            freeNode = nodes[Int(id)].next
            nodes[Int(id)] = node
        } else {
            id = Int32(nodes.count)
            nodes.append(node)
        }
        heads[bucket(vpn)] = id
        mappedPages += 1
        var cost = TableUpdateCost()
        cost.references = Int(probes) + 1
        cost.writes = 2
        return cost
    }

    /// Unlinks the page from its chain.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func unmap(_ virtual: VirtualAddress, memory: inout FrameAllocator) throws(MapError) -> (Mapping, TableUpdateCost) {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        let vpn = virtual.rawValue >> shift
        let b = bucket(vpn)
        var prev: Int32 = -1
        var i = heads[b]
        var cost = TableUpdateCost()
        cost.references = 1
        while nodes[Int(i)].vpn != vpn {
            prev = i
            i = nodes[Int(i)].next
            cost.references += 1
        }
        if prev < 0 { heads[b] = nodes[Int(i)].next } else { nodes[Int(prev)].next = nodes[Int(i)].next }
        nodes[Int(i)] = Node(vpn: 0, entry: 0, next: freeNode)
        freeNode = i
        mappedPages -= 1
        cost.writes = 1
        return (m, cost)
    }

    /// Rewrites the page's entry with `flags`.
    /// - Complexity: O(1 + chain length).
    @discardableResult
    public mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        guard let m = mapping(at: virtual) else { throw .notMapped(virtual) }
        try format.validate(m.virtual, m.physical, size: m.size, flags: flags)
        let (node, _) = find(virtual.rawValue >> shift)
        nodes[Int(node)].entry = format.bits.leafEntry(m.physical.rawValue, flags: flags, huge: false)
        return m
    }
}

/// The leaf half of a walk shared by the hashed and inverted tables: permission check and A/D
/// update of the entry found.
@inlinable
func finishLeaf(_ entry: inout UInt64, address: UInt64, intent: AccessIntent, references: UInt8, format: PageTableFormat) -> WalkResult {
    let b = format.bits
    let e = entry
    let pageShift = format.basePage.shift
    let permissions = format.permissions(leaf: e, combinedAnd: ~0, combinedOr: 0)
    guard format.allows(permissions, intent) else {
        return WalkResult(entry: e, pageShift: pageShift, references: references, permissions: permissions, fault: .protection)
    }
    var updated = e | b.accessed
    if intent.kind == .store { updated |= b.dirty }
    var updates: UInt8 = 0
    if updated != e { entry = updated; updates = 1 }
    var p = permissions
    if updated & b.dirty != 0 { p.insert(.dirty) }
    return WalkResult(physical: b.physicalAddress(updated) | (address & (format.basePage.bytes &- 1)), entry: updated,
                      level: 0, pageShift: pageShift, references: references, updates: updates, permissions: p)
}

extension MMU where Table == HashedPageTable {
    /// An MMU over hashed page tables with one bucket per 4 frames of `memory` (at least 1024).
    public init(format: PageTableFormat, tlb: TLBSpec = .skylake, memory: FrameAllocator, taggedAddressSpaces: Bool = true) throws(MapError) {
        let buckets = max(1024, Int(memory.totalFrames / 4))
        try self.init(format: format, tlb: tlb, walkCache: .none, memory: memory, taggedAddressSpaces: taggedAddressSpaces,
                      makeTable: { f, _ throws(MapError) in HashedPageTable(format: f, buckets: buckets) })
    }
}
