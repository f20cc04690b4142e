import VMSim
import VMTrace

/// Replays an allocation trace file through a `HeapRun`: one pass over the file, every policy
/// fed each batch.
public enum HeapReplay {
    /// Replays the trace at `path` (`-` for standard input) under every policy.
    /// - Complexity: O(ops × policies × cost per operation), in bounded memory for the reading
    ///   (the heaps themselves hold one entry per live block and per id seen).
    public static func run(path: String, format: HeapTraceFormat? = nil, policies: [HeapPolicy], model: HeapModel,
                           checking: HeapChecking = .off, leakLimit: Int = 10, parallelism: Int? = nil) throws(TraceError) -> HeapReport {
        let input = try TraceInput(path: path)
        let reader = try input.openHeap(format: format)
        let run = HeapRun(policies: policies, model: model, checking: checking, leakLimit: leakLimit, parallelism: parallelism)
        let ops = try forEachBatch(reader.nextBatch) { batch in run.feed(UnsafeBufferPointer(batch)) }
        let summary = TraceSummary(name: input.displayName, format: reader.format.rawValue, records: UInt64(ops))
        let details = HeapTraceDetails(idStyle: reader.format.idStyle, memcheck: reader.memcheckSummary, warnings: reader.warnings)
        return HeapReport(trace: summary, details: details, model: model, results: run.results)
    }
}
