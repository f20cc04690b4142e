import VMSim
import VMTrace

/// Computes a miss-ratio curve (`MRCRun`) from an access trace file (`vmsim mrc`): one pass, after
/// a pre-pass when OPT needs its oracle or huge sizes need the distinct pages first.
///
///     let report = try MRCReplay.run(path: "workloads/sort.lackey.gz", options: AccessTraceOptions(),
///                                    request: try MRCRequest(maxFrames: 512))
public enum MRCReplay {
    /// Runs `request` over the trace at `path` (`-` for standard input).
    /// - Complexity: O(accesses × log distinct) for the exact curve, O(accesses) plus the sampled
    ///   part for SHARDS, O(accesses × sizes × policy cost / cores) for simulations.
    public static func run(path: String, options: AccessTraceOptions, request: MRCRequest) throws(TraceError) -> MRCReport {
        let prePass = request.needsNextUse || request.needsDistinctPages
        let input = try TraceInput(path: path, passes: prePass ? 2 : 1)
        let pass = try input.openMainPass(options, wantNextUse: request.needsNextUse, wantDistinct: request.needsDistinctPages)
        func failure(_ error: some Error) -> TraceError { TraceError(file: input.displayName, message: "\(error)") }
        let run: MRCRun
        do { run = try MRCRun(request, distinctPages: pass.distinctPages) } catch { throw failure(error) }
        let accesses = try pass.forEach { batch throws(TraceError) in
            do { try run.feed(batch) } catch { throw failure(error) }
        }
        guard accesses > 0 else { throw input.empty() }
        do {
            return try run.report(trace: input.displayName, format: pass.reader.format.rawValue, pageSize: pass.effectivePageSize)
        } catch {
            throw failure(error)
        }
    }
}
