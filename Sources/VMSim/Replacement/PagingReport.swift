/// What a simulation saw of its trace, for reports.
public struct TraceSummary: Hashable, Sendable {
    /// The trace as the user named it.
    public var name: String
    /// The format's name (`lackey`, `plain`, ...).
    public var format: String
    /// The page size used to turn byte addresses into pages, or `nil` when the trace names pages.
    public var pageSize: PageSize?
    /// Page references replayed.
    public var accesses: UInt64
    /// References that were stores.
    public var writes: UInt64
    /// Distinct pages, when the run computed them (OPT's pre-pass does).
    public var distinctPages: Int?

    /// A summary of a trace that was read.
    public init(name: String, format: String, pageSize: PageSize?, accesses: UInt64, writes: UInt64, distinctPages: Int? = nil) {
        self.name = name
        self.format = format
        self.pageSize = pageSize
        self.accesses = accesses
        self.writes = writes
        self.distinctPages = distinctPages
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
