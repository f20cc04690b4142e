/// The operations every page-table organisation offers, so that the MMU, the TLBs and the tests
/// drive a radix, hashed or inverted table the same way. The MMU is generic over it (specialised,
/// no existential on the hot path).
public protocol PageTable: Sendable {
    /// The format: levels (for radix tables), entry encoding, address widths.
    var format: PageTableFormat { get }

    /// Whether a walk can start below the root from a paging-structure cache (radix tables only).
    static var usesWalkCaches: Bool { get }

    /// Maps the `size` page at `virtual` to `physical`.
    /// - Throws: `MapError` explaining an overlap, misalignment or an address out of range.
    mutating func map(_ virtual: VirtualAddress, to physical: PhysicalAddress, size: PageSize, flags: PageFlags,
                      memory: inout some FrameSource) throws(MapError) -> TableUpdateCost

    /// Removes the mapping that covers `virtual`, freeing tables left empty.
    mutating func unmap(_ virtual: VirtualAddress, memory: inout some FrameSource) throws(MapError) -> (Mapping, TableUpdateCost)

    /// Replaces the flags of the mapping that covers `virtual`; returns the mapping as it was.
    mutating func protect(_ virtual: VirtualAddress, flags: PageFlags) throws(MapError) -> Mapping

    /// The mapping covering `virtual`, without side effects (no A/D update, no costs).
    func mapping(at virtual: VirtualAddress) -> Mapping?

    /// Translates `address` for `intent`, setting accessed (and, for stores, dirty) bits as the
    /// hardware does, and counting the entries read. `start` lets a radix walk begin at a table
    /// found in a paging-structure cache.
    mutating func walk<R: WalkRecorder>(_ address: UInt64, _ intent: AccessIntent, start: WalkStart?, recorder: inout R) -> WalkResult

    /// Bytes of memory the table structures occupy.
    var tableBytes: Int { get }
    /// Base pages the table structures occupy.
    var tablePages: Int { get }
    /// Leaf mappings held.
    var mappedPages: Int { get }
    /// Probe statistics of hashed organisations (zero for radix tables).
    var probes: ProbeStats { get }
}

/// Chain lengths walked by hashed and inverted page tables.
public struct ProbeStats: Hashable, Sendable {
    /// Lookups made.
    public var lookups: UInt64 = 0
    /// Entries examined over all lookups (the probe length summed).
    public var probes: UInt64 = 0
    /// The longest probe.
    public var longest: UInt64 = 0
    /// Zero counts.
    public init() {}
    /// Mean entries examined per lookup.
    public var mean: Double { lookups == 0 ? 0 : Double(probes) / Double(lookups) }

    @inlinable mutating func record(_ length: UInt64) {
        lookups &+= 1
        probes &+= length
        if length > longest { longest = length }
    }
}

extension PageTableFormat {
    /// The permissions an entry (or combined entries) grant.
    /// - Complexity: O(1).
    @inlinable
    public func permissions(leaf: UInt64, combinedAnd: UInt64, combinedOr: UInt64) -> PagePermissions {
        let b = bits
        let src = b.hierarchicalPermissions ? combinedAnd & leaf : leaf
        let nx = b.hierarchicalPermissions ? combinedOr | leaf : leaf
        var p: PagePermissions = []
        if b.readable == 0 || src & b.readable != 0 { p.insert(.read) }
        if src & b.writable != 0 { p.insert(.write) }
        if (b.executable == 0 || src & b.executable != 0) && nx & b.noExecute == 0 { p.insert(.execute) }
        if src & b.user != 0 { p.insert(.user) }
        if leaf & b.global != 0 { p.insert(.global) }
        if leaf & b.dirty != 0 { p.insert(.dirty) }
        return p
    }

    /// Whether `permissions` allow `intent`. x86 lets the supervisor use user pages (no SMEP/SMAP)
    /// and enforces read-only pages on it (CR0.WP = 1, as Linux sets); RISC-V refuses supervisor
    /// access to user pages (sstatus.SUM = 0).
    /// - Complexity: O(1).
    @inlinable @inline(__always)
    public func allows(_ p: PagePermissions, _ intent: AccessIntent) -> Bool {
        let needed: PagePermissions
        switch intent.kind {
        case .load: needed = .read
        case .store: needed = .write
        case .instruction: needed = .execute
        }
        guard p.contains(needed) else { return false }
        if intent.user { return p.contains(.user) }
        return bits.family == .x86 || !p.contains(.user)
    }
}
