#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// The allocation-trace formats VMSim reads.
public enum HeapTraceFormat: String, CaseIterable, Sendable {
    /// CS:APP malloc lab `.rep`: a 4-integer header, then `a ID SIZE`, `f ID`, `r ID SIZE`.
    case malloclab
    /// `valgrind --tool=memcheck --trace-malloc=yes` output.
    case valgrind
    /// OSTEP malloc.py op lists: `+N` allocates ptr[k] (k counts allocations), `-k` frees it.
    case ops

    /// A one-line description for `--help`.
    public var summary: String {
        switch self {
        case .malloclab: "CS:APP malloc lab .rep: header of 4 integers, then a ID SIZE / f ID / r ID SIZE"
        case .valgrind: "valgrind --trace-malloc=yes log: malloc, calloc, realloc, memalign, new/delete; other lines skipped"
        case .ops: "OSTEP malloc.py op list: +N allocates ptr[k], -k frees it; commas or spaces between"
        }
    }

    /// How a summary of a trace in this format shows ids.
    public var idStyle: HeapTraceDetails.IDStyle {
        switch self {
        case .malloclab: .number
        case .valgrind: .address
        case .ops: .pointerIndex
        }
    }

    /// The format suggested by a file name (after any `.gz`/`.zst`).
    static func fromName(_ path: String) -> HeapTraceFormat? {
        let name = Compression.strippedName(path).lowercased()
        if name.hasSuffix(".rep") { return .malloclab }
        if name.hasSuffix(".ops") { return .ops }
        return nil
    }

    /// The format of a trace from its first bytes: a `==PID==` or `--PID--` line is Valgrind, an
    /// integer alone on the first line is malloc lab, `+N` or `-k` is an op list.
    static func detect(_ prefix: UnsafeRawBufferPointer) -> HeapTraceFormat? {
        var lineStart = 0, examined = 0
        while lineStart < prefix.count && examined < 64 {
            var lineEnd = lineStart
            while lineEnd < prefix.count && prefix[lineEnd] != 0x0a { lineEnd += 1 }
            let fields = Fields(UnsafeRawBufferPointer(rebasing: prefix[lineStart..<lineEnd]))
            lineStart = lineEnd + 1
            guard let first = fields.first, first.first != UInt8(ascii: "#") else { continue }
            examined += 1
            if first.starts(with: "==".utf8) || (first.starts(with: "--".utf8) && first.count > 2 && first[2] &- 0x30 < 10) {
                return .valgrind
            }
            if first.first == UInt8(ascii: "+") { return .ops }
            if first.first == UInt8(ascii: "-") && first.count > 1 && first[1] &- 0x30 < 10 && fields.count == 1 { return .ops }
            if fields.count == 1 && first.allSatisfy({ $0 &- 0x30 < 10 }) { return .malloclab }
            if examined == 1 { continue } // a program's output may come before Valgrind's banner
        }
        return nil
    }
}

/// A streaming reader of heap operations; it owns a fixed batch buffer and refills it per call.
public protocol HeapTraceReader: AnyObject {
    /// The format being read.
    var format: HeapTraceFormat { get }
    /// The next batch, valid until the next call; empty at the end of the trace.
    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<HeapOp>
    /// Problems that did not stop the reading (complete once the trace has been read).
    var warnings: [TraceWarning] { get }
    /// Memcheck's HEAP SUMMARY, for a Valgrind log that has one (once read).
    var memcheckSummary: MemcheckSummary? { get }
}

/// Opening allocation traces.
public enum HeapTrace {
    /// Opens `path` (`-` for standard input; `.gz`/`.zst` decompressed) as an allocation trace,
    /// detecting the format unless `format` names it. `displayName` replaces the path in messages.
    /// - Complexity: O(1): opens the file and reads at most its first 8 KiB to detect the format.
    public static func open(_ path: String, format: HeapTraceFormat? = nil, batchSize: Int = 4096,
                            displayName: String? = nil) throws(TraceError) -> any HeapTraceReader {
        let stream = try ByteStream.open(path, displayName: displayName)
        let input = InputBuffer(stream: stream)
        var chosen = format ?? HeapTraceFormat.fromName(path)
        if chosen == nil {
            try input.refill()
            if input.available == 0 { throw TraceError(file: stream.name, message: "the trace is empty") }
            chosen = HeapTraceFormat.detect(UnsafeRawBufferPointer(start: input.base + input.start, count: min(input.available, 8192)))
            if chosen == nil {
                throw TraceError(file: stream.name, message: "cannot tell the allocation trace format from its content; name the format ("
                    + HeapTraceFormat.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
        }
        switch chosen! {
        case .malloclab: return MallocLabReader(input: input, batchSize: batchSize)
        case .valgrind: return ValgrindMallocReader(input: input, batchSize: batchSize)
        case .ops: return OSTEPOpsReader(input: input, batchSize: batchSize)
        }
    }
}

/// The batch buffer and line loop the heap trace readers share.
class HeapLineReader {
    let input: InputBuffer
    let batchSize: Int
    private(set) var batch: UnsafeMutablePointer<HeapOp>
    private var capacity: Int
    var count = 0
    /// The 1-based number of the line being parsed.
    var line = 0
    var warnings: [TraceWarning] = []
    var memcheckSummary: MemcheckSummary? { nil }

    init(input: InputBuffer, batchSize: Int) {
        self.input = input
        self.batchSize = max(1, batchSize)
        capacity = self.batchSize
        batch = .allocate(capacity: capacity)
    }

    deinit { batch.deallocate() }

    var name: String { input.stream.name }

    /// Fills the batch by calling `parse` on each line, then `finish` once at the end.
    func fill(_ parse: (inout LineCursor) throws(LineError) -> Void) throws(TraceError) -> UnsafeMutableBufferPointer<HeapOp> {
        count = 0
        while count < batchSize {
            guard let text = try input.nextLine(&line, formatName: formatName) else {
                if !finished {
                    finished = true
                    // An empty trace has no line to point at (line 0 would read as FILE:0:).
                    do { try finish() } catch { throw TraceError(file: name, location: line == 0 ? .none : .line(line), message: error.message) }
                }
                break
            }
            var cursor = LineCursor(text.baseAddress!, count: text.count)
            do { try parse(&cursor) } catch { throw TraceError(file: name, location: .line(line), message: error.message) }
        }
        return UnsafeMutableBufferPointer(start: batch, count: count)
    }

    private var finished = false
    var formatName: String { "" }
    /// Called once after the last line.
    func finish() throws(LineError) {}

    /// Appends an op; a line with many ops (an OSTEP list) may go past `batchSize`.
    @inline(__always)
    func emit(_ op: HeapOp) {
        if count == capacity { grow() }
        batch[count] = op
        count &+= 1
    }

    @inline(never)
    private func grow() {
        let bigger = UnsafeMutablePointer<HeapOp>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: batch, count: count)
        batch.deallocate()
        batch = bigger
        capacity *= 2
    }
}

extension InputBuffer {
    /// The next line, without its newline, valid until the next call; nil at the end of the
    /// stream. `line` counts the lines returned.
    /// - Complexity: O(line length), amortized over refills.
    @inline(__always)
    func nextLine(_ line: inout Int, formatName: String) throws(TraceError) -> UnsafeBufferPointer<UInt8>? {
        while true {
            let first = start
            let available = end - first
            let p = UnsafeMutableRawPointer(base + first).assumingMemoryBound(to: UInt8.self)
            if let nl = memchr(p, 0x0a, available) {
                let length = UnsafeRawPointer(nl) - UnsafeRawPointer(p)
                start = first + length + 1
                line += 1
                return UnsafeBufferPointer(start: p, count: length)
            }
            if atEnd {
                guard available > 0 else { return nil }
                start = end
                line += 1
                return UnsafeBufferPointer(start: p, count: available)
            }
            if !(try refill()) && self.available == capacity {
                throw TraceError(file: stream.name, location: .line(line + 1),
                                 message: "line is longer than \(capacity) bytes; is this a \(formatName) trace?")
            }
        }
    }
}

extension LineCursor {
    /// Reads a decimal integer with an optional minus sign, as a 64-bit two's-complement bit
    /// pattern; nil if there are no digits or it does not fit in 64 signed bits.
    mutating func signedDecimal() -> (value: UInt64, negative: Bool)? {
        let negative = i < end && base[i] == UInt8(ascii: "-")
        if negative { i &+= 1 }
        guard let magnitude = decimal() else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return (0 &- magnitude, true)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return (magnitude, false)
    }

    /// Skips the bytes of `text` if they come next; returns whether they did.
    mutating func skip(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard end - i >= n else { return false }
        for k in 0..<n where base[i + k] != text.utf8Start[k] { return false }
        i += n
        return true
    }
}
