#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// Replays an access trace file through a `PagingRun`: one pass over the file for every
/// (policy, frames) pair, plus one pass before it when a clairvoyant policy (OPT) needs next uses
/// that the trace does not carry.
public enum PagingReplay {
    /// Replays the trace at `path` (`-` for standard input) for every policy at every size.
    ///
    /// Standard input is spooled to a temporary file when OPT needs a second pass over it.
    /// - Complexity: O(accesses × pairs × policy cost), in bounded memory; OPT's oracle is
    ///   computed on disk (`NextUseSpool`).
    public static func run(path: String, options: AccessTraceOptions, policies: [PolicySpec], frames: [Int],
                           seed: UInt64, parallelism: Int? = nil) throws(TraceError) -> PagingReport {
        let run = PagingRun(policies: policies, frames: frames, seed: seed, parallelism: parallelism)
        var options = options
        options.validateNextUse = run.needsNextUse
        let displayName = path == "-" ? "<stdin>" : path

        var spool: TemporaryFile?
        defer { spool?.remove() }
        var readPath = path
        if run.needsNextUse && path == "-" {
            // OPT may need two passes; standard input can be read only once.
            let file = try TemporaryFile.spool(ByteStream.standardInput())
            spool = file
            readPath = file.path
        }
        var reader = try AccessTrace.open(readPath, options: options, displayName: displayName)
        var oracle: NextUseSpool?
        if run.needsNextUse && !reader.carriesNextUse {
            oracle = try NextUseSpool(reader, name: displayName)
            options.format = reader.format
            reader = try AccessTrace.open(readPath, options: options, displayName: displayName)
        }

        var accesses = 0
        var writes: UInt64 = 0
        while true {
            let batch = try reader.nextBatch()
            if batch.isEmpty { break }
            try oracle?.annotate(batch)
            for a in batch where a.kind == .store { writes += 1 }
            run.feed(UnsafeBufferPointer(batch))
            accesses += batch.count
        }
        guard accesses > 0 else {
            throw TraceError(file: displayName, message: "the trace holds no memory references")
        }
        let summary = TraceSummary(name: displayName, format: reader.format.rawValue,
                                   pageSize: reader.format.carriesByteAddresses ? options.pageSize : nil,
                                   accesses: UInt64(accesses), writes: writes, distinctPages: oracle?.distinctPages)
        return PagingReport(trace: summary, seed: seed, results: run.results)
    }
}

/// A temporary file that holds a copy of standard input.
struct TemporaryFile {
    let path: String

    static func spool(_ stream: ByteStream) throws(TraceError) -> TemporaryFile {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/vmsim-stdin-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw TraceError(file: stream.name, message: "cannot create a temporary file in \(dir): \(errnoDescription(errno))")
        }
        defer { close(fd) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let file = TemporaryFile(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try stream.read(into: buffer)
            if n == 0 { break }
            var written = 0
            while written < n {
                let w = write(fd, buffer.baseAddress! + written, n - written)
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else {
                    file.remove()
                    throw TraceError(file: stream.name, message: "cannot write the temporary copy \(path): \(errnoDescription(errno))")
                }
                written += w
            }
        }
        return file
    }

    func remove() { unlink(path) }
}
