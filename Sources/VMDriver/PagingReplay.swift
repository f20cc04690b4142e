import VMSim
import VMTrace

/// Replays an access trace file through a `PagingRun`: one pass over the file for every
/// (policy, frames) pair, plus one pass before it when a clairvoyant policy (OPT) needs next uses
/// that the trace does not carry.
///
///     let report = try PagingReplay.run(path: "workloads/sort.lackey.gz", options: AccessTraceOptions(),
///                                       policies: [PolicySpec(.lru), PolicySpec(.opt)], frames: [64, 256])
public enum PagingReplay {
    /// Replays the trace at `path` (`-` for standard input) for every policy at every size.
    ///
    /// Standard input is spooled to a temporary file when OPT needs a second pass over it.
    /// - Throws: `TraceError` for a trace that cannot be read or holds nothing, and for a size
    ///   out of range.
    /// - Complexity: O(accesses × pairs × policy cost), in bounded memory; OPT's oracle is
    ///   computed on disk (`NextUseSpool`).
    public static func run(path: String, options: AccessTraceOptions, policies: [PolicySpec], frames: [Int],
                           seed: UInt64 = 0, parallelism: Int? = nil) throws(TraceError) -> PagingReport {
        let run: PagingRun
        do {
            run = try PagingRun(policies: policies, frames: frames, seed: seed, parallelism: parallelism)
        } catch {
            throw TraceError(file: path == "-" ? "<stdin>" : path, message: error.description)
        }
        return try self.run(path: path, options: options, run: run, seed: seed)
    }

    /// Replays the trace at `path` through simulators made elsewhere (a policy of the caller's own).
    /// - Complexity: as `run(path:options:policies:frames:seed:parallelism:)`.
    public static func run(path: String, options: AccessTraceOptions, run: PagingRun, seed: UInt64 = 0) throws(TraceError) -> PagingReport {
        let input = try TraceInput(path: path, passes: run.needsNextUse ? 2 : 1)
        let pass = try input.openMainPass(options, wantNextUse: run.needsNextUse, wantDistinct: false)
        var writes: UInt64 = 0
        let accesses = try pass.forEach { batch throws(TraceError) in
            for a in batch where a.kind == .store { writes += 1 }
            do {
                try run.feed(batch)
            } catch {
                throw TraceError(file: input.displayName, message: "\(error)")
            }
        }
        guard accesses > 0 else { throw input.empty() }
        let summary = TraceSummary(name: input.displayName, format: pass.reader.format.rawValue, pageSize: pass.effectivePageSize,
                                   records: UInt64(accesses), writes: writes, distinctPages: pass.distinctPages)
        return PagingReport(trace: summary, seed: seed, results: run.results)
    }
}
