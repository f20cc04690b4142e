/// What a memory access does, as the trace formats distinguish it.
public enum AccessKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// A data load.
    case load = 0
    /// A data store: the page becomes dirty.
    case store = 1
    /// An instruction fetch.
    case instruction = 2

    /// Whether the access writes the page.
    @inlinable public var isWrite: Bool { self == .store }

    /// The kind's name: `load`, `store` or `instruction`.
    public var description: String {
        switch self {
        case .load: "load"
        case .store: "store"
        case .instruction: "instruction"
        }
    }
}

/// One page reference of a trace, as the paging engine consumes it.
///
/// `nextUse` is the index of the next reference to the same page (Belady's oracle), `PageAccess.never`
/// when the page is not referenced again, or `PageAccess.unknown` when the trace does not say.
public struct PageAccess: Hashable, Sendable {
    /// The page number referenced.
    public var page: UInt64
    /// The index of the next reference to the same page, or `never` or `unknown`.
    public var nextUse: Int64
    /// Whether the reference loads, stores or fetches an instruction.
    public var kind: AccessKind

    /// `nextUse` of a page that is never referenced again.
    public static let never: Int64 = .max
    /// `nextUse` when the trace carries no next-use information.
    public static let unknown: Int64 = -1

    /// A reference to `page`; a load with no next-use information unless told otherwise.
    @inlinable
    public init(page: UInt64, kind: AccessKind = .load, nextUse: Int64 = PageAccess.unknown) {
        self.page = page
        self.kind = kind
        self.nextUse = nextUse
    }
}

/// One memory access of a trace at byte granularity, as address-level readers produce it and the
/// translation engine consumes it: the address, its size, and what it does.
public struct AddressAccess: Hashable, Sendable {
    /// What an address-level record does; `modify` is Lackey's `M`, a load and a store of the same bytes.
    public enum Kind: UInt8, Hashable, Sendable {
        /// Lackey's `L`, `S`, `I` and `M` records.
        case load = 0, store = 1, instruction = 2, modify = 3

        /// The access kind a translation checks: `modify` needs write permission.
        @inlinable public var accessKind: AccessKind {
            switch self {
            case .load: .load
            case .store, .modify: .store
            case .instruction: .instruction
            }
        }
    }

    /// The first byte accessed.
    public var address: UInt64
    /// Bytes accessed (at least 1 for a translation; 0 is treated as 1).
    public var size: UInt32
    /// What the record does.
    public var kind: Kind

    /// An access of `size` bytes at `address`.
    @inlinable
    public init(address: UInt64, size: UInt32, kind: Kind) {
        self.address = address
        self.size = size
        self.kind = kind
    }
}
