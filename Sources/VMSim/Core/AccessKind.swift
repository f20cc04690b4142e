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
    public var page: UInt64
    public var nextUse: Int64
    public var kind: AccessKind

    /// `nextUse` of a page that is never referenced again.
    public static let never: Int64 = .max
    /// `nextUse` when the trace carries no next-use information.
    public static let unknown: Int64 = -1

    @inlinable
    public init(page: UInt64, kind: AccessKind = .load, nextUse: Int64 = PageAccess.unknown) {
        self.page = page
        self.kind = kind
        self.nextUse = nextUse
    }
}
