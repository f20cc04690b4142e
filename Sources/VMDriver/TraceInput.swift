#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim
import VMTrace

/// A trace as every driver reads it: the name its messages use, standard input spooled to a
/// temporary file when the driver needs more than one pass over it, and each pass opened anew.
///
///     let input = try TraceInput(path: "-", passes: 2)   // stdin copied once, removed on deinit
///     let reader = try input.openAccesses(options)
final class TraceInput {
    /// The path as the user gave it (`-` for standard input).
    let path: String
    /// `<stdin>` for standard input, else the path.
    let displayName: String
    private let readPath: String
    private let spool: TemporaryFile?

    /// - Parameter passes: how many times the driver may open the trace; above 1, standard input is
    ///   spooled to a temporary file first.
    init(path: String, passes: Int = 1) throws(TraceError) {
        self.path = path
        displayName = path == "-" ? "<stdin>" : path
        if path == "-" && passes > 1 {
            let file = try TemporaryFile.spool(ByteStream.standardInput())
            spool = file
            readPath = file.path
        } else {
            spool = nil
            readPath = path
        }
    }

    deinit { spool?.remove() }

    /// Opens the next pass as page references.
    func openAccesses(_ options: AccessTraceOptions) throws(TraceError) -> any AccessTraceReader {
        try AccessTrace.open(readPath, options: options, displayName: displayName)
    }

    /// Opens the next pass as byte-level accesses.
    func openAddresses(_ options: AccessTraceOptions) throws(TraceError) -> any AddressTraceReader {
        try AccessTrace.openAddresses(readPath, options: options, displayName: displayName)
    }

    /// Opens the next pass as heap operations.
    func openHeap(format: HeapTraceFormat?) throws(TraceError) -> any HeapTraceReader {
        try HeapTrace.open(readPath, format: format, displayName: displayName)
    }

    /// The error every driver gives for a trace without a single record.
    func empty() -> TraceError {
        if Interrupt.requested {
            return TraceError(file: displayName, message: "interrupted (Ctrl-C) before any reference was simulated")
        }
        return TraceError(file: displayName, message: "the trace holds no memory references")
    }

    /// The main pass over page references, after the pre-pass a run asks for: Belady's oracle
    /// (`wantNextUse`, when the trace does not carry next uses) or the distinct pages
    /// (`wantDistinct`). The oracle counts distinct pages too.
    func openMainPass(_ options: AccessTraceOptions, wantNextUse: Bool, wantDistinct: Bool) throws(TraceError) -> MainPass {
        var options = options
        options.validateNextUse = wantNextUse
        let reader = try openAccesses(options)
        var oracle: NextUseSpool?
        var distinct: Int?
        if wantNextUse && !reader.carriesNextUse {
            oracle = try NextUseSpool(reader, name: displayName)
            distinct = oracle?.distinctPages
        } else if wantDistinct {
            var seen = PageMap<UInt8>(expectedCount: 1 << 12)
            try forEachBatch(reader.nextBatch) { batch in
                for a in batch where seen.find(a.page) == .max { seen.insert(a.page, 0) }
            }
            distinct = seen.count
        } else {
            return MainPass(reader: reader, oracle: nil, distinctPages: nil, pageSize: options.pageSize)
        }
        options.format = reader.format
        return MainPass(reader: try openAccesses(options), oracle: oracle, distinctPages: distinct, pageSize: options.pageSize)
    }

    /// A main pass and what its pre-pass learnt.
    struct MainPass {
        let reader: any AccessTraceReader
        let oracle: NextUseSpool?
        let distinctPages: Int?
        let pageSize: PageSize

        /// Each batch with its next uses filled (when the oracle was computed); returns the accesses.
        @discardableResult
        func forEach(_ body: (UnsafeBufferPointer<PageAccess>) throws(TraceError) -> Void) throws(TraceError) -> Int {
            try forEachBatch(reader.nextBatch) { batch throws(TraceError) in
                try oracle?.annotate(batch)
                try body(UnsafeBufferPointer(batch))
            }
        }

        /// The page size the trace's byte addresses were divided by, or `nil` when it names pages.
        var effectivePageSize: PageSize? { reader.format.carriesByteAddresses ? pageSize : nil }
    }
}

/// The batch loop of every driver: `body` gets each batch of `next` until an empty one, or until
/// Ctrl-C (`Interrupt`), after the batch it came in; returns the number of records.
@discardableResult
func forEachBatch<Element>(_ next: () throws(TraceError) -> UnsafeMutableBufferPointer<Element>,
                           _ body: (UnsafeMutableBufferPointer<Element>) throws(TraceError) -> Void) throws(TraceError) -> Int {
    var count = 0
    while true {
        if Interrupt.requested { return count }
        let batch = try next()
        if batch.isEmpty { return count }
        try body(batch)
        count += batch.count
        ProgressMeter.update(records: batch.count)
    }
}

/// A temporary file in `$TMPDIR` (default /tmp).
struct TemporaryFile {
    let path: String

    /// Creates a new file named `prefix-XXXXXX`; `purpose` says in an error what it was for.
    static func create(_ prefix: String, for purpose: String, name: String) throws(TraceError) -> (fd: Int32, file: TemporaryFile) {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/\(prefix)-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw TraceError(file: name, message: "\(purpose) needs temporary space in \(dir): \(errnoDescription(errno))")
        }
        return (fd, TemporaryFile(path: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }))
    }

    /// A copy of `stream` (standard input), to be read more than once.
    static func spool(_ stream: ByteStream) throws(TraceError) -> TemporaryFile {
        let (fd, file) = try create("vmsim-stdin", for: "reading standard input twice", name: stream.name)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try stream.read(into: buffer)
            if n == 0 { break }
            do {
                try writeAll(fd, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: nil, name: stream.name, what: "the temporary copy \(file.path)")
            } catch {
                file.remove()
                throw error
            }
        }
        return file
    }

    func remove() { unlink(path) }

    /// Writes all of `buffer` to `fd`, at `offset` (`pwrite`) or at the file position (`write`).
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int?, name: String, what: String) throws(TraceError) {
        var done = 0
        while done < buffer.count {
            let p = buffer.baseAddress! + done, n = buffer.count - done
            let w = offset.map { pwrite(fd, p, n, off_t($0 + done)) } ?? write(fd, p, n)
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else { throw TraceError(file: name, message: "cannot write \(what): \(errnoDescription(errno))") }
            done += w
        }
    }
}
