/// What memcheck's HEAP SUMMARY said, when a Valgrind log carries one.
public struct MemcheckSummary: Hashable, Sendable {
    /// Bytes still in use at exit.
    public var inUseAtExitBytes: UInt64
    /// Blocks still in use at exit.
    public var inUseAtExitBlocks: UInt64
    /// Allocations.
    public var allocs: UInt64
    /// Frees.
    public var frees: UInt64
    /// Bytes allocated.
    public var bytesAllocated: UInt64

    /// A summary with memcheck's five counts.
    public init(inUseAtExitBytes: UInt64, inUseAtExitBlocks: UInt64, allocs: UInt64, frees: UInt64, bytesAllocated: UInt64) {
        self.inUseAtExitBytes = inUseAtExitBytes
        self.inUseAtExitBlocks = inUseAtExitBlocks
        self.allocs = allocs
        self.frees = frees
        self.bytesAllocated = bytesAllocated
    }

    /// Whether a simulation's counts equal memcheck's.
    /// - Complexity: O(1).
    public func matches(_ stats: HeapStats) -> Bool {
        stats.allocs == allocs && stats.frees == frees && stats.bytesAllocated == bytesAllocated
            && stats.inUseAtExitBytes == inUseAtExitBytes && stats.inUseAtExitBlocks == inUseAtExitBlocks
    }
}

/// A problem with a trace that does not stop the run (a header that lies about its counts, a
/// line the malloc-lab driver would read leniently); printed as `FILE:LINE: warning: ...`.
public struct TraceWarning: Hashable, Sendable {
    /// The 1-based line, or nil for the trace as a whole.
    public var line: Int?
    /// What is wrong.
    public var message: String
    /// A warning about `line` (nil: the whole trace).
    public init(line: Int?, message: String) {
        self.line = line
        self.message = message
    }
}

/// What only an allocation trace tells, beside its `TraceSummary`: how it writes ids, memcheck's
/// own summary, and its warnings.
public struct HeapTraceDetails: Hashable, Sendable {
    /// How ids are shown: malloc-lab ids as signed numbers, Valgrind ids as addresses, OSTEP ids
    /// as `ptr[k]`.
    public var idStyle: IDStyle
    /// Memcheck's HEAP SUMMARY, for a Valgrind log that has one.
    public var memcheck: MemcheckSummary?
    /// The trace's warnings.
    public var warnings: [TraceWarning]

    /// Signed numbers, hexadecimal addresses, or `ptr[k]`.
    public enum IDStyle: String, Hashable, Sendable { case number, address, pointerIndex }

    /// The details of a trace that was read.
    /// - Complexity: O(1).
    public init(idStyle: IDStyle, memcheck: MemcheckSummary? = nil, warnings: [TraceWarning] = []) {
        self.idStyle = idStyle
        self.memcheck = memcheck
        self.warnings = warnings
    }

    /// An id as the trace writes it.
    /// - Complexity: O(1).
    public func describe(_ id: UInt64) -> String {
        switch idStyle {
        case .number: "id \(Int64(bitPattern: id))"
        case .address: "0x" + String(id, radix: 16, uppercase: true)
        case .pointerIndex: "ptr[\(id)]"
        }
    }
}

/// The outcome of `vmsim heap`: the trace, the model and one result per policy.
public struct HeapReport: Sendable {
    /// The trace that was replayed (its `records` are the operations).
    public var trace: TraceSummary
    /// What the allocation trace tells beside.
    public var details: HeapTraceDetails
    /// The model every policy ran under.
    public var model: HeapModel
    /// One result per policy, in the order given.
    public var results: [HeapResult]

    /// A report of a finished run.
    public init(trace: TraceSummary, details: HeapTraceDetails, model: HeapModel, results: [HeapResult]) {
        self.trace = trace
        self.details = details
        self.model = model
        self.results = results
    }
}
