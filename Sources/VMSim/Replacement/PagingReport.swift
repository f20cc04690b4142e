/// What a simulation saw of its trace: the one summary every report carries (`vmsim paging`,
/// `mrc`, `heap`, `translate`).
public struct TraceSummary: Hashable, Sendable {
    /// The trace as the user named it.
    public var name: String
    /// The format's name (`lackey`, `plain`, `malloclab`, ...).
    public var format: String
    /// The page size used to turn byte addresses into pages, or `nil` when the trace names pages
    /// (or holds no addresses, as allocation traces).
    public var pageSize: PageSize?
    /// Records replayed: page references (paging, mrc), byte-level accesses (translate) or heap
    /// operations (heap).
    public var records: UInt64
    /// Records that were stores (for translate: stores and Lackey's modifies).
    public var writes: UInt64
    /// Distinct pages, when the run computed them (OPT's pre-pass does).
    public var distinctPages: Int?
    /// Records by kind, when the run counts them (translate).
    public var kinds: AccessKindCounts?

    /// A summary of a trace that was read.
    /// - Complexity: O(1).
    public init(name: String, format: String, pageSize: PageSize? = nil, records: UInt64, writes: UInt64 = 0,
                distinctPages: Int? = nil, kinds: AccessKindCounts? = nil) {
        self.name = name
        self.format = format
        self.pageSize = pageSize
        self.records = records
        self.writes = writes
        self.distinctPages = distinctPages
        self.kinds = kinds
    }
}

/// Byte-level access records by kind.
public struct AccessKindCounts: Hashable, Sendable {
    public var loads: UInt64 = 0
    public var stores: UInt64 = 0
    /// Lackey's `M`: a load and a store of the same bytes.
    public var modifies: UInt64 = 0
    public var instructions: UInt64 = 0

    public init() {}

    /// Counts one record.
    /// - Complexity: O(1).
    @inlinable
    public mutating func count(_ kind: AddressAccess.Kind) {
        switch kind {
        case .load: loads &+= 1
        case .store: stores &+= 1
        case .modify: modifies &+= 1
        case .instruction: instructions &+= 1
        }
    }
}

/// The outcome of `vmsim paging`: the trace and one result per (policy, frames) pair.
public struct PagingReport: Hashable, Sendable {
    /// The trace that was replayed.
    public var trace: TraceSummary
    /// The seed of the randomised policies.
    public var seed: UInt64
    /// One result per (policy, frames) pair, policies outer.
    public var results: [PagingResult]

    /// A report of a finished run.
    public init(trace: TraceSummary, seed: UInt64, results: [PagingResult]) {
        self.trace = trace
        self.seed = seed
        self.results = results
    }
}
