// The allocation-trace harnesses (malloc-lab, valgrind, ostep-ops) share this driver.
import VMSim
@testable import VMTrace

/// Reads the input as a `format` allocation trace with an 8 KiB window and batches of 512, and
/// with a window of 24 to 280 bytes and batches of 1 to 7; and, for one input in 64, through
/// `HeapTrace.open` itself (1 MiB window).
/// Checks: no crash; errors name the input and a line of it, in one line; warnings name a line
/// of it (or none); the ops, warnings, memcheck summary and error do not depend on the batch size
/// or window (except that a line longer than a small window is an error there); every op names a
/// line of the input, in order.
func fuzzHeapTrace(_ format: HeapTraceFormat, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    if looksCompressed(bytes) { return -1 }
    let path = InputFile.write(bytes)
    let lines = lineCount(bytes)

    struct Result: Hashable {
        var outcome: Outcome<HeapOp>
        var warnings: [TraceWarning]
        var summary: MemcheckSummary?
    }

    func read(_ batchSize: Int, window: Int?) -> Result {
        let reader: any HeapTraceReader
        if let window {
            let input: InputBuffer
            do { input = InputBuffer(stream: try ByteStream.open(path, displayName: inputName), capacity: window) } catch {
                finding("ByteStream.open failed on a readable file: \(error)")
            }
            switch format {
            case .malloclab: reader = MallocLabReader(input: input, batchSize: batchSize)
            case .valgrind: reader = ValgrindMallocReader(input: input, batchSize: batchSize)
            case .ops: reader = OSTEPOpsReader(input: input, batchSize: batchSize)
            }
        } else {
            do { reader = try HeapTrace.open(path, format: format, batchSize: batchSize, displayName: inputName) } catch {
                finding("HeapTrace.open failed on a readable file: \(error)")
            }
        }
        guard reader.format == format else { finding("opened as \(reader.format), asked for \(format)") }
        // An OSTEP op list may put any number of ops on one line, and a line is never split.
        let slack = format == .ops ? Int.max / 2 : 0
        let out = drain(batchSize: batchSize, slack: slack) { () throws(TraceError) in try reader.nextBatch() }
        if let e = out.error { checkLocated(e, file: inputName, bytes: bytes, unlocated: ["the trace is empty"]) }
        var last = 0
        for op in out.records {
            guard op.line >= 1 && op.line <= lines && op.line >= last else {
                finding("op at line \(op.line) (after line \(last), of \(lines)): \(op)")
            }
            last = op.line
        }
        if out.error == nil {
            for w in reader.warnings {
                if let n = w.line, !(1...lines).contains(n) { finding("warning at line \(n) of \(lines): \(w.message)") }
                guard !w.message.isEmpty, !w.message.contains("\n") else { finding("malformed warning: \(w.message.debugDescription)") }
            }
        }
        return Result(outcome: out, warnings: out.error == nil ? reader.warnings : [], summary: out.error == nil ? reader.memcheckSummary : nil)
    }

    let h = bytes.reduce(UInt32(0)) { ($0 &* 31) &+ UInt32($1) }
    let window = 24 + Int(h >> 9) % 257
    let big = read(512, window: 1 << 13)
    func compare(_ other: Result, _ what: String, window: Int?) {
        checkSameOutcome(big.outcome, other.outcome, what, window: window)
        guard big.outcome.error == nil && other.outcome.error == nil else { return }
        guard big.warnings == other.warnings else { finding("\(what): batch size changes the warnings: \(big.warnings) vs \(other.warnings)") }
        guard big.summary == other.summary else { finding("\(what): batch size changes the memcheck summary") }
    }
    compare(read(smallBatchSize(bytes), window: window), format.rawValue, window: window)
    if (h >> 20) % 64 == 0 { compare(read(4096, window: nil), "\(format.rawValue) (HeapTrace.open)", window: nil) }
    return 0
}
