/// A mapping as the table holds it.
public struct Mapping: Hashable, Sendable, CustomStringConvertible {
    /// The first virtual address mapped.
    public var virtual: VirtualAddress
    /// The physical address it maps to.
    public var physical: PhysicalAddress
    /// The page size of the leaf.
    public var size: PageSize
    /// What the leaf allows, decoded.
    public var flags: PageFlags
    /// A mapping of one `size` page.
    public init(virtual: VirtualAddress, physical: PhysicalAddress, size: PageSize, flags: PageFlags) {
        self.virtual = virtual
        self.physical = physical
        self.size = size
        self.flags = flags
    }
    /// `VA -> PA (size, flags)`.
    public var description: String { "\(virtual) -> \(physical) (\(size), \(flags))" }
}

/// Why a map, unmap or protect was refused. These explain the problem; none is a crash.
public enum MapError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The virtual address is outside the format (non-canonical or too wide).
    case virtualOutOfRange(VirtualAddress, format: String, bits: Int)
    /// The physical address does not fit the format's physical width.
    case physicalOutOfRange(PhysicalAddress, format: String, bits: Int)
    /// The format has no leaves of this size.
    case unsupportedSize(PageSize, format: String, sizes: [PageSize])
    /// A huge mapping's virtual or physical address is not aligned to its size.
    case unaligned(VirtualAddress, PhysicalAddress, PageSize)
    /// The range already holds a mapping (or, for a huge page, smaller mappings).
    case overlaps(Mapping)
    /// The range of a huge mapping already holds a page table with mappings in it.
    case coversSmallerMappings(VirtualAddress, PageSize, level: String)
    /// Nothing is mapped there.
    case notMapped(VirtualAddress)
    /// The flags cannot be encoded (RISC-V write without read).
    case invalidFlags(PageFlags, reason: String)
    /// Physical memory has no frame left for a page table.
    case outOfMemory
    /// The table organisation cannot hold this mapping (an inverted table's frame outside the
    /// memory it covers, or already mapped).
    case unsupported(String)

    /// The refusal in a sentence that names the values involved.
    public var description: String {
        switch self {
        case let .virtualOutOfRange(va, format, bits):
            return "virtual address \(va) is outside \(format)'s \(bits)-bit address space"
                + (format == "x86-64" || format == "la57" || format.hasPrefix("sv") ? " (not canonical: the bits above bit \(bits - 1) must all equal it)" : "")
        case let .physicalOutOfRange(pa, format, bits):
            return "physical address \(pa) does not fit \(format)'s \(bits)-bit physical addresses"
        case let .unsupportedSize(size, format, sizes):
            return "\(format) has no \(size) pages (it maps \(sizes.map(\.description).joined(separator: ", ")))"
        case let .unaligned(va, pa, size):
            return "a \(size) mapping needs both addresses aligned to \(size): \(va) -> \(pa) is not"
        case let .overlaps(m):
            return "overlaps the existing mapping \(m)"
        case let .coversSmallerMappings(va, size, level):
            return "the \(size) range at \(va) already holds smaller mappings (a \(level) table); unmap them first"
        case let .notMapped(va):
            return "nothing is mapped at \(va)"
        case let .invalidFlags(flags, reason):
            return "flags '\(flags)' cannot be encoded: \(reason)"
        case .outOfMemory:
            return "simulated physical memory has no free frame left for a page table"
        case let .unsupported(why):
            return why
        }
    }
}

/// What a map or unmap cost.
public struct TableUpdateCost: Hashable, Sendable {
    /// Table pages allocated (map) or freed (unmap).
    public var tables: Int = 0
    /// Entries read on the way down.
    public var references: Int = 0
    /// Entries written.
    public var writes: Int = 0
    /// Nothing allocated, read or written.
    public init() {}
}
