import VMSim
import VMTrace

/// Replays an allocation trace file through a `HeapRun`: one pass over the file, every policy
/// fed each batch.
public enum HeapReplay {
    /// Replays the trace at `path` (`-` for standard input) under every policy.
    /// - Complexity: O(ops × policies × cost per operation), in bounded memory for the reading
    ///   (the heaps themselves hold one entry per live block and per id seen).
    /// With `layout`, a second pass replays each policy up to the operation where its payload
    /// peaked and keeps the heap's layout there (`HeapResult.layout`).
    public static func run(path: String, format: HeapTraceFormat? = nil, policies: [HeapPolicy], model: HeapModel,
                           checking: HeapChecking = .off, leakLimit: Int = 10, parallelism: Int? = nil,
                           layout: Bool = false) throws(TraceError) -> HeapReport {
        let input = try TraceInput(path: path, passes: layout ? 2 : 1)
        let reader = try input.openHeap(format: format)
        let run = HeapRun(policies: policies, model: model, checking: checking, leakLimit: leakLimit, parallelism: parallelism)
        let ops = try forEachBatch(reader.nextBatch) { batch in run.feed(UnsafeBufferPointer(batch)) }
        let summary = TraceSummary(name: input.displayName, format: reader.format.rawValue, records: UInt64(ops))
        let details = HeapTraceDetails(idStyle: reader.format.idStyle, memcheck: reader.memcheckSummary, warnings: reader.warnings)
        var results = run.results
        if layout && !Interrupt.requested {
            let probes = SimulationRun<HeapOp, HeapLayout?>(
                simulators: results.map { $0.policy.layoutProbe(model: model, at: $0.stats.peakOp) }, parallelism: parallelism)
            let again = try input.openHeap(format: reader.format)
            try forEachBatch(again.nextBatch) { batch in probes.feed(UnsafeBufferPointer(batch)) }
            for (i, l) in probes.results.enumerated() { results[i].layout = l }
        }
        return HeapReport(trace: summary, details: details, model: model, results: results)
    }
}
