#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// A streaming reader of page references. It owns a fixed batch buffer and refills it on each call,
/// so a trace of any size is read in bounded memory.
public protocol AccessTraceReader: AnyObject {
    /// The format being read.
    var format: TraceFormat { get }
    /// Whether each access's `nextUse` comes from the trace itself (oracleGeneral).
    var carriesNextUse: Bool { get }
    /// The next batch of references, valid until the next call; empty at the end of the trace.
    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<PageAccess>
}

/// Options for opening an access trace.
public struct AccessTraceOptions: Sendable {
    /// The format, or `nil` to detect it from the file name and content.
    public var format: TraceFormat?
    /// Turns byte addresses into page numbers (formats that name pages ignore it).
    public var pageSize: PageSize
    /// How many references a batch holds (about; one line may add a few more).
    public var batchSize: Int
    /// For oracleGeneral: reject `next_access_vtime` values that do not point forward, because a
    /// clairvoyant policy will trust them.
    public var validateNextUse: Bool

    /// Options for `format` (detected when `nil`), 4 KiB pages and batches of 32,768 references.
    public init(format: TraceFormat? = nil, pageSize: PageSize = .base4K, batchSize: Int = 1 << 15,
                validateNextUse: Bool = false) {
        self.format = format
        self.pageSize = pageSize
        self.batchSize = batchSize
        self.validateNextUse = validateNextUse
    }
}

/// Opening access traces.
public enum AccessTrace {
    /// The largest access a record describes, in bytes (a Lackey record's size is at most this).
    public static var largestAccessBytes: UInt64 { LackeyParser.maxAccessSize }

    /// Opens `path` (`-` for standard input; `.gz`/`.zst` decompressed through gzip/zstd) as an
    /// access trace, detecting the format unless `options.format` names it.
    /// `displayName` replaces the path in messages.
    /// - Complexity: O(1): opens the file (starting a decompressor for `.gz` or `.zst`) and reads at most its first 4 KiB to detect the format; each `nextBatch()` then costs O(bytes read).
    public static func open(_ path: String, options: AccessTraceOptions = .init(), displayName: String? = nil) throws(TraceError) -> any AccessTraceReader {
        let stream = try ByteStream.open(path, displayName: displayName)
        return try open(stream, options: options, nameHint: path)
    }

    /// Reads an access trace from an already open stream.
    /// - Complexity: O(1): reads at most the first 4 KiB to detect the format.
    public static func open(_ stream: ByteStream, options: AccessTraceOptions, nameHint: String? = nil) throws(TraceError) -> any AccessTraceReader {
        let input = InputBuffer(stream: stream)
        let format = try detectFormat(input, options: options, nameHint: nameHint)
        switch format {
        case .lackey: return TextAccessReader(input: input, format: .lackey, parser: LackeyParser(pageSize: options.pageSize), batchSize: options.batchSize)
        case .plain: return TextAccessReader(input: input, format: .plain, parser: PlainParser(), batchSize: options.batchSize)
        case .din: return TextAccessReader(input: input, format: .din, parser: DinParser(pageSize: options.pageSize), batchSize: options.batchSize)
        case .oracleGeneral: return OracleGeneralReader(input: input, batchSize: options.batchSize, validateNextUse: options.validateNextUse)
        }
    }
}

/// A streaming reader of byte-level accesses (address, size, kind), for address translation.
/// Like `AccessTraceReader` it owns a fixed batch buffer and refills it on each call.
public protocol AddressTraceReader: AnyObject {
    /// The format being read.
    var format: TraceFormat { get }
    /// The next batch of accesses, valid until the next call; empty at the end of the trace.
    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<AddressAccess>
}

extension AccessTrace {
    /// Opens `path` as a trace of byte-level accesses: Lackey keeps addresses, sizes and `M`;
    /// din addresses are one-byte accesses; plain and oracle-general page numbers become the
    /// address of the page's first byte at `options.pageSize`.
    /// - Complexity: as `open(_:options:displayName:)`.
    public static func openAddresses(_ path: String, options: AccessTraceOptions = .init(), displayName: String? = nil) throws(TraceError) -> any AddressTraceReader {
        let stream = try ByteStream.open(path, displayName: displayName)
        let input = InputBuffer(stream: stream)
        let format = try detectFormat(input, options: options, nameHint: path)
        switch format {
        case .lackey: return TextAccessReader(input: input, format: .lackey, parser: LackeyAddressParser(), batchSize: options.batchSize)
        case .plain: return TextAccessReader(input: input, format: .plain, parser: PlainAddressParser(pageSize: options.pageSize), batchSize: options.batchSize)
        case .din: return TextAccessReader(input: input, format: .din, parser: DinAddressParser(), batchSize: options.batchSize)
        case .oracleGeneral:
            return PageAddressReader(OracleGeneralReader(input: input, batchSize: options.batchSize, validateNextUse: false),
                                     pageSize: options.pageSize, capacity: max(1, options.batchSize))
        }
    }

    static func detectFormat(_ input: InputBuffer, options: AccessTraceOptions, nameHint: String?) throws(TraceError) -> TraceFormat {
        if let f = options.format ?? nameHint.flatMap(TraceFormat.fromName) { return f }
        try input.refill()
        if let f = TraceFormat.detect(UnsafeRawBufferPointer(start: input.base + input.start, count: min(input.available, 4096))) {
            return f
        }
        if input.available == 0 {
            throw TraceError(file: input.stream.name, message: "the trace is empty")
        }
        throw TraceError(file: input.stream.name, message: "cannot tell the trace format from its content; name the format ("
            + TraceFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")")
    }
}

/// Turns a page-level reader's page numbers into byte addresses (the page's first byte).
final class PageAddressReader: AddressTraceReader {
    let pages: any AccessTraceReader
    let shift: UInt64
    let batch: UnsafeMutablePointer<AddressAccess>
    let capacity: Int
    var format: TraceFormat { pages.format }

    init(_ pages: any AccessTraceReader, pageSize: PageSize, capacity: Int) {
        self.pages = pages
        shift = UInt64(pageSize.shift)
        self.capacity = capacity
        batch = .allocate(capacity: capacity)
    }

    deinit { batch.deallocate() }

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<AddressAccess> {
        let b = try pages.nextBatch()
        precondition(b.count <= capacity, "page batch larger than the address batch")
        for i in b.indices {
            let a = b[i]
            let kind: AddressAccess.Kind = a.kind == .store ? .store : (a.kind == .instruction ? .instruction : .load)
            batch[i] = AddressAccess(address: a.page << shift, size: 1, kind: kind)
        }
        return UnsafeMutableBufferPointer(start: batch, count: b.count)
    }
}

/// Reads a line-oriented text format through its `AccessLineParser`, straight from the input bytes.
final class TextAccessReader<Parser: AccessLineParser> {
    let input: InputBuffer
    let format: TraceFormat
    let parser: Parser
    let batchSize: Int
    let batch: UnsafeMutablePointer<Parser.Record>
    let batchCapacity: Int
    /// Lines consumed so far (the 1-based number of the last one).
    private(set) var line = 0
    /// Whether the last line read had no newline (the end of the file; a cut log ends so).
    private(set) var lastLineUnterminated = false
    /// Why that last line did not parse, for a parser that forgives it (a recording cut short).
    private(set) var cutLastLine: TraceError?

    var carriesNextUse: Bool { false }

    init(input: InputBuffer, format: TraceFormat, parser: Parser, batchSize: Int) {
        self.input = input
        self.format = format
        self.parser = parser
        self.batchSize = max(1, batchSize)
        batchCapacity = self.batchSize + parser.maxAccessesPerLine
        batch = .allocate(capacity: batchCapacity)
    }

    deinit { batch.deallocate() }

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<Parser.Record> {
        var count = 0
        while count < batchSize {
            let start = input.start
            let available = input.end - start
            let p = (input.base + start).assumingMemoryBound(to: UInt8.self)
            if let nl = memchr(p, 0x0a, available) {
                let length = UnsafeRawPointer(nl) - UnsafeRawPointer(p)
                line += 1
                try parseLine(p, length, &count)
                input.start = start + length + 1
                if parser.stopsBatch { break }
                continue
            }
            if input.atEnd {
                if available > 0 {
                    line += 1
                    lastLineUnterminated = true
                    input.start = input.end
                    do {
                        try parseLine(p, available, &count)
                    } catch where parser.forgivesCutLastLine {
                        // A log cut short: what came before the cut line is returned.
                        cutLastLine = error
                    }
                }
                break
            }
            if !(try input.refill()) && input.available == input.capacity {
                throw TraceError(file: input.stream.name, location: .line(line + 1),
                                 message: "line is longer than \(input.capacity) bytes; is this a \(format.rawValue) trace?")
            }
        }
        return UnsafeMutableBufferPointer(start: batch, count: count)
    }

    @inline(__always)
    private func parseLine(_ p: UnsafePointer<UInt8>, _ length: Int, _ count: inout Int) throws(TraceError) {
        var cursor = LineCursor(p, count: length)
        do {
            try parser.parse(&cursor, into: batch, count: &count)
        } catch {
            throw TraceError(file: input.stream.name, location: .line(line), message: error.message)
        }
    }
}

extension TextAccessReader: AccessTraceReader where Parser.Record == PageAccess {}
extension TextAccessReader: AddressTraceReader where Parser.Record == AddressAccess {}

/// libCacheSim oracleGeneral: 24-byte little-endian records
/// `u32 clock_time, u64 obj_id, u32 obj_size, i64 next_access_vtime`. The object id is the page.
/// A negative next access (or INT64_MAX) means none. Every record is one reference (libCacheSim
/// skips records of size 0 by default; VMSim counts them, as a page trace has no sizes).
final class OracleGeneralReader: AccessTraceReader {
    static let recordSize = 24
    let input: InputBuffer
    let batchSize: Int
    let batch: UnsafeMutablePointer<PageAccess>
    let validateNextUse: Bool
    /// Records read so far.
    private var index: Int64 = 0

    var format: TraceFormat { .oracleGeneral }
    var carriesNextUse: Bool { true }

    init(input: InputBuffer, batchSize: Int, validateNextUse: Bool) {
        self.input = input
        self.batchSize = max(1, batchSize)
        self.validateNextUse = validateNextUse
        batch = .allocate(capacity: self.batchSize)
    }

    deinit { batch.deallocate() }

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<PageAccess> {
        var count = 0
        while count < batchSize {
            if input.available < Self.recordSize {
                if !input.atEnd { try input.refill(); continue }
                if input.available > 0 {
                    throw TraceError(file: input.stream.name, location: .byte(input.offset),
                                     message: "truncated oracleGeneral record: \(input.available) of \(Self.recordSize) bytes")
                }
                break
            }
            let records = min(input.available / Self.recordSize, batchSize - count)
            var p = UnsafeRawPointer(input.base + input.start)
            for _ in 0..<records {
                let id = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
                let next = Int64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: Int64.self))
                var nextUse = next < 0 || next == .max ? PageAccess.never : next
                if nextUse != PageAccess.never && nextUse <= index {
                    if validateNextUse {
                        throw TraceError(file: input.stream.name, location: .byte(input.offset + UInt64(p - UnsafeRawPointer(input.base + input.start))),
                                         message: "next_access_vtime \(next) of request \(index) does not point to a later request, so OPT cannot use it")
                    }
                    nextUse = PageAccess.unknown
                }
                batch[count] = PageAccess(page: id, kind: .load, nextUse: nextUse)
                count += 1
                index += 1
                p += Self.recordSize
            }
            input.start += records * Self.recordSize
        }
        return UnsafeMutableBufferPointer(start: batch, count: count)
    }
}
