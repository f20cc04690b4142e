/// The storage the hashed and inverted page tables share: entries `(vpn, leaf entry, next)` in a
/// flat array, and a power-of-two array of chain heads indexed by the hashed virtual page number
/// (the hashed table's buckets, the inverted table's hash anchor table). Which entry a page goes
/// in is the table's choice: the next free node (hashed) or the page's frame (inverted).
@usableFromInline
struct HashChains: Sendable {
    @usableFromInline struct Link: Sendable {
        @usableFromInline var vpn: UInt64
        /// The leaf entry in the format's encoding; 0 when unused.
        @usableFromInline var entry: UInt64
        @usableFromInline var next: Int32
        @inlinable init(vpn: UInt64, entry: UInt64, next: Int32) {
            self.vpn = vpn
            self.entry = entry
            self.next = next
        }
    }

    @usableFromInline var heads: ContiguousArray<Int32>
    @usableFromInline var links: ContiguousArray<Link>
    @usableFromInline let hashShift: UInt64

    /// `heads` chains (rounded up to a power of two, at least 16) over `capacity` unused links.
    init(heads count: Int, capacity: Int) {
        var n = 16
        while n < count { n <<= 1 }
        heads = ContiguousArray(repeating: -1, count: n)
        links = ContiguousArray(repeating: Link(vpn: 0, entry: 0, next: -1), count: capacity)
        hashShift = UInt64(64 - n.trailingZeroBitCount)
    }

    /// Bytes: 4 per head, 24 per link (8 + 8 + 4, padded).
    var bytes: Int { heads.count * 4 + links.count * 24 }

    @inlinable func head(_ vpn: UInt64) -> Int {
        Int(truncatingIfNeeded: (vpn &* 0x9E37_79B9_7F4A_7C15) >> hashShift)
    }

    /// The link holding `vpn` (or -1), and the links compared on the way.
    /// - Complexity: O(chain length).
    @inlinable func find(_ vpn: UInt64) -> (slot: Int32, probes: UInt64) {
        var i = heads[head(vpn)]
        var probes: UInt64 = 0
        while i >= 0 {
            probes &+= 1
            if links[Int(i)].vpn == vpn { return (i, probes) }
            i = links[Int(i)].next
        }
        return (-1, probes)
    }

    /// Puts `vpn` with `entry` in link `slot` at the head of its chain.
    /// - Complexity: O(1).
    mutating func link(_ vpn: UInt64, entry: UInt64, at slot: Int32) {
        let h = head(vpn)
        links[Int(slot)] = Link(vpn: vpn, entry: entry, next: heads[h])
        heads[h] = slot
    }

    /// Takes `vpn` (which must be present) out of its chain, clears its link and returns the link
    /// and the links read on the way (the head included).
    /// - Complexity: O(chain length).
    mutating func unlink(_ vpn: UInt64) -> (slot: Int32, references: Int) {
        let h = head(vpn)
        var prev: Int32 = -1
        var i = heads[h]
        var references = 1
        while links[Int(i)].vpn != vpn {
            prev = i
            i = links[Int(i)].next
            references += 1
        }
        if prev < 0 { heads[h] = links[Int(i)].next } else { links[Int(prev)].next = links[Int(i)].next }
        links[Int(i)] = Link(vpn: 0, entry: 0, next: -1)
        return (i, references)
    }
}

/// What the hashed and inverted tables share beyond storage: lookup, mapping, protect and the
/// leaf half of the walk, over their `chains`.
@usableFromInline
protocol ChainedPageTable: PageTable {
    var chains: HashChains { get set }
    var shift: UInt64 { get }
    var probeStats: ProbeStats { get set }
}

extension ChainedPageTable {
    /// Looks the page up, checks permissions and sets A/D in its entry; references = 1 + probes.
    @inlinable
    internal mutating func chainedWalk(_ address: UInt64, _ intent: AccessIntent) -> WalkResult {
        guard format.isCanonical(address) else { return WalkResult(fault: .nonCanonical) }
        let (slot, probes) = chains.find(address >> shift)
        probeStats.record(probes)
        let references = UInt8(truncatingIfNeeded: min(probes &+ 1, 255))
        guard slot >= 0 else { return WalkResult(references: references, fault: .notPresent) }
        return finishLeaf(&chains.links[Int(slot)].entry, address: address, intent: intent, references: references, format: format)
    }

    func chainedMapping(at virtual: VirtualAddress) -> Mapping? {
        guard format.isCanonical(virtual.rawValue) else { return nil }
        let (slot, _) = chains.find(virtual.rawValue >> shift)
        guard slot >= 0 else { return nil }
        let e = chains.links[Int(slot)].entry
        return Mapping(virtual: VirtualAddress((virtual.rawValue >> shift) << shift), physical: PhysicalAddress(format.bits.physicalAddress(e)),
                       size: format.basePage, flags: format.bits.flags(of: e))
    }

    /// The checks both tables make before mapping; returns the page number and the probes made.
    func chainedCheck(_ virtual: VirtualAddress, _ physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                      kind: String) throws(MapError) -> (vpn: UInt64, probes: UInt64) {
        try format.validate(virtual, physical, size: size, flags: flags)
        guard size == format.basePage else {
            throw .unsupported("\(kind) page table holds \(format.basePage) pages only, not \(size)")
        }
        let vpn = virtual.rawValue >> shift
        let (existing, probes) = chains.find(vpn)
        if existing >= 0 { throw .overlaps(chainedMapping(at: virtual)!) }
        return (vpn, probes)
    }

    mutating func chainedProtect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping {
        guard let m = chainedMapping(at: virtual) else { throw .notMapped(virtual) }
        try format.validate(m.virtual, m.physical, size: m.size, flags: flags)
        let (slot, _) = chains.find(virtual.rawValue >> shift)
        chains.links[Int(slot)].entry = format.bits.leafEntry(m.physical.rawValue, flags: flags, huge: false)
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
