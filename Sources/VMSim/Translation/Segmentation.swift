/// Why segmentation refused an access. A violation is a result (the hardware raises #GP, or #SS
/// for the stack segment; OSTEP's simulators print "SEGMENTATION VIOLATION"), never an error.
public enum SegmentViolation: String, Hashable, Sendable {
    /// The offset is at or beyond the bound of a base-and-bounds register or an expand-up segment.
    case beyondLimit = "beyond-limit"
    /// The offset is at or below the limit of an expand-down (grow-down) segment.
    case belowLimit = "below-limit"
    /// The segment does not allow this kind of access.
    case protection
    /// The segment descriptor's present bit is clear.
    case notPresent = "not-present"
    /// No such segment (selector beyond the table).
    case noSegment = "no-segment"
}

/// The outcome of a segmentation step: the linear (or, without paging, physical) address, or the
/// violation.
public enum SegmentResult: Hashable, Sendable {
    /// The linear address (or the physical one, without paging).
    case address(UInt64)
    /// The access was refused.
    case violation(SegmentViolation)
}

/// Base-and-bounds relocation (dynamic relocation, OSTEP ch. 15): one base and one bound register;
/// a virtual address `va` is legal when `va < bounds`, and becomes `base + va`.
///
///     let r = BaseAndBounds(base: 0x3000, bounds: 0x1000)
///     r.translate(0x0123)   // .address(0x3123)
///     r.translate(0x1000)   // .violation(.beyondLimit)
public struct BaseAndBounds: Hashable, Sendable {
    /// The physical address of virtual address 0.
    public var base: UInt64
    /// The size of the address space: legal addresses are below it.
    public var bounds: UInt64
    /// Base and bound registers with these values.
    public init(base: UInt64, bounds: UInt64) {
        self.base = base
        self.bounds = bounds
    }

    /// Relocates `virtual`, or refuses it when it is at or above `bounds`.
    /// - Complexity: O(1).
    @inlinable public func translate(_ virtual: UInt64) -> SegmentResult {
        virtual < bounds ? .address(base &+ virtual) : .violation(.beyondLimit)
    }
}

/// One segment descriptor: base, limit, access rights, direction, present bit (x86's descriptor,
/// simplified to what the check needs).
public struct Segment: Hashable, Sendable {
    /// The linear address of offset 0.
    public var base: UInt64
    /// x86 semantics: an expand-up segment allows offsets `0...limit`; an expand-down one allows
    /// `limit + 1 ... upperBound`.
    public var limit: UInt64
    /// Loads allowed.
    public var readable: Bool
    /// Stores allowed.
    public var writable: Bool
    /// Instruction fetches allowed.
    public var executable: Bool
    /// Expand-down (grow-down), as stacks use.
    public var growsDown: Bool
    /// The highest offset of an expand-down segment: 0xFFFF_FFFF with the B flag, 0xFFFF without.
    public var upperBound: UInt64
    /// The descriptor's present bit.
    public var present: Bool

    /// A descriptor; by default a present, expand-up, readable and writable data segment.
    public init(base: UInt64, limit: UInt64, readable: Bool = true, writable: Bool = true, executable: Bool = false,
                growsDown: Bool = false, upperBound: UInt64 = 0xFFFF_FFFF, present: Bool = true) {
        self.base = base
        self.limit = limit
        self.readable = readable
        self.writable = writable
        self.executable = executable
        self.growsDown = growsDown
        self.upperBound = upperBound
        self.present = present
    }

    /// Checks `offset` for `kind` and returns `base + offset`, or the violation.
    /// - Complexity: O(1).
    @inlinable public func translate(_ offset: UInt64, _ kind: AccessKind) -> SegmentResult {
        guard present else { return .violation(.notPresent) }
        switch kind {
        case .load: if !readable { return .violation(.protection) }
        case .store: if !writable { return .violation(.protection) }
        case .instruction: if !executable { return .violation(.protection) }
        }
        if growsDown {
            if offset <= limit { return .violation(.belowLimit) }
            if offset > upperBound { return .violation(.beyondLimit) }
        } else if offset > limit {
            return .violation(.beyondLimit)
        }
        return .address(base &+ offset)
    }
}

/// A segment table: descriptors selected by number, or by the top bits of a virtual address as in
/// OSTEP's segmentation simulator (`selectorBits` bits above `offsetBits` bits).
///
///     let t = SegmentTable(segments: [code, heap, unused, stack], offsetBits: 12, selectorBits: 2)
///     t.translate(address: 0x1_0ff, kind: .load)      // segment 1 (heap), offset 0x0ff
public struct SegmentTable: Hashable, Sendable {
    /// The descriptors, by segment number.
    public var segments: [Segment]
    /// For address-based selection: bits of offset, and bits of segment number above them.
    public var offsetBits: Int
    /// Bits of segment number above the offset (0 when segments are selected by number only).
    public var selectorBits: Int

    /// A table of `segments`.
    public init(segments: [Segment], offsetBits: Int = 32, selectorBits: Int = 0) {
        self.segments = segments
        self.offsetBits = offsetBits
        self.selectorBits = selectorBits
    }

    /// Translates `offset` within segment `selector`.
    /// - Complexity: O(1).
    public func translate(segment selector: Int, offset: UInt64, kind: AccessKind) -> SegmentResult {
        guard segments.indices.contains(selector) else { return .violation(.noSegment) }
        return segments[selector].translate(offset, kind)
    }

    /// Splits `address` into segment number (the top `selectorBits`) and offset, then translates.
    /// - Complexity: O(1).
    public func translate(address: UInt64, kind: AccessKind) -> SegmentResult {
        let offset = address & ((UInt64(1) << UInt64(offsetBits)) - 1)
        let selector = Int(truncatingIfNeeded: address >> UInt64(offsetBits))
        guard selector < 1 << selectorBits else { return .violation(.noSegment) }
        return translate(segment: selector, offset: offset, kind: kind)
    }
}

/// Segmentation in front of paging, as on x86: the segment turns (selector, offset) into a linear
/// address, which the MMU then translates through its TLBs and page tables. A segment violation
/// stops the access before paging sees it.
public struct SegmentedMMU<Table: PageTable>: Sendable {
    /// The segment table consulted first.
    public var segments: SegmentTable
    /// The MMU that translates the linear addresses.
    public var mmu: MMU<Table>
    /// Accesses refused by segmentation.
    public private(set) var segmentViolations: UInt64 = 0

    /// Segmentation by `segments` in front of `mmu`.
    public init(segments: SegmentTable, mmu: MMU<Table>) {
        self.segments = segments
        self.mmu = mmu
    }

    /// The result of one access: the physical address, or a segment violation, or a page fault.
    public enum Outcome: Hashable, Sendable {
        /// The translation succeeded.
        case physical(UInt64)
        /// Segmentation refused the access.
        case segmentViolation(SegmentViolation)
        /// Paging refused the linear address.
        case pageFault(TranslationFault, linear: UInt64)
    }

    /// Segment check, then paging.
    /// - Complexity: O(1) plus the MMU's translation.
    public mutating func translate(segment: Int, offset: UInt64, _ intent: AccessIntent) -> Outcome {
        switch segments.translate(segment: segment, offset: offset, kind: intent.kind) {
        case .violation(let v):
            segmentViolations += 1
            return .segmentViolation(v)
        case .address(let linear):
            let r = mmu.translate(linear, intent)
            return r.succeeded ? .physical(r.physical) : .pageFault(r.fault, linear: linear)
        }
    }
}
