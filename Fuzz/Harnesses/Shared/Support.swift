// Shared by every VMSim fuzz harness (compiled into each one by scripts/fuzz.sh).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import VMSim
import VMTrace

/// The name the readers are told to use for the input in their messages.
let inputName = "fuzz-input"

/// Stops the run with a message libFuzzer records with the input: a finding.
func finding(_ message: String) -> Never {
    fputs("FINDING: \(message)\n", stderr)
    abort()
}

/// The fuzz input as a file the path-based readers can open: one temporary file on tmpfs, made
/// and unlinked at start-up, rewritten for each input and opened as /proc/self/fd/N (each open
/// has its own offset). Nothing is left behind, whatever way the process ends.
enum InputFile {
    static let fd: Int32 = {
        var dir = "/dev/shm"
        var st = stat()
        if stat(dir, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR { dir = "/tmp" }
        var template = Array("\(dir)/vmsim-fuzz-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { finding("mkstemp in \(dir) failed: errno \(errno)") }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        return fd
    }()
    static let path = "/proc/self/fd/\(fd)"

    /// Replaces the file's content with `bytes`; returns its path.
    static func write(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard ftruncate(fd, 0) == 0 else { finding("ftruncate failed: errno \(errno)") }
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(done))
            guard n > 0 else { finding("pwrite failed: errno \(errno)") }
            done += n
        }
        return path
    }
}

/// The input's bytes (nil-safe for an empty input).
func inputBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: size == 0 ? nil : data, count: size)
}

/// Whether the bytes start like a gzip or zstd file: ByteStream would hand those to a
/// decompressor process, which is not parser code (and would make each run a fork).
func looksCompressed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B { return true }
    if bytes.count >= 4 && bytes[0] == 0x28 && bytes[1] == 0xB5 && bytes[2] == 0x2F && bytes[3] == 0xFD { return true }
    return false
}

/// A small batch size (1 to 7) picked from the input, so that batch and buffer boundaries fall
/// at different places from one input to the next.
func smallBatchSize(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    var h: UInt32 = 2166136261
    for b in bytes.prefix(64) { h = (h ^ UInt32(b)) &* 16777619 }
    return 1 + Int(h % 7)
}

/// The number of lines a text of these bytes has (a last line without a newline counts).
/// By memchr: a byte loop here would be instrumented and compared byte by byte on every run.
func lineCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    guard var p = bytes.baseAddress.map(UnsafeRawPointer.init) else { return 1 }
    let end = p + bytes.count
    var n = 1
    while p < end, let nl = memchr(p, 0x0a, end - p) {
        n += 1
        p = UnsafeRawPointer(nl) + 1
    }
    return n
}

/// Checks that a reader's error is well formed: it names `file`, and a line within the input
/// (or, for binary formats, a byte offset within it); its message is one non-empty line.
/// `unlocated` lists the messages allowed without a position (about the file as a whole).
func checkLocated(_ e: TraceError, file: String, bytes: UnsafeBufferPointer<UInt8>, binary: Bool = false,
                  unlocated: Set<String> = []) {
    guard e.file == file else { finding("error names file '\(e.file)', not '\(file)': \(e)") }
    guard !e.message.isEmpty else { finding("error without a message: \(e)") }
    guard !e.message.contains(where: { $0 == "\n" || $0 == "\r\n" }) else {
        finding("error message spans lines: \(e.description.debugDescription)")
    }
    switch e.location {
    case .line(let n):
        guard !binary else { finding("binary format error with a line number: \(e)") }
        guard n >= 1 && n <= lineCount(bytes) else { finding("error at line \(n) of a \(lineCount(bytes))-line input: \(e)") }
    case .byte(let offset):
        guard binary else { finding("text format error with a byte offset: \(e)") }
        guard offset <= UInt64(bytes.count) else { finding("error at byte \(offset) of a \(bytes.count)-byte input: \(e)") }
    case .none:
        guard unlocated.contains(e.message) else { finding("error without a line or byte position: \(e)") }
    }
}

/// Everything a reader gives, batch after batch, and how it ended.
struct Outcome<Record: Hashable>: Hashable {
    var records: [Record] = []
    var error: TraceError?
    var batches = 0
}

/// Drains `next` (a reader's `nextBatch`), checking each batch's size against `batchSize` and
/// stopping after the first empty batch (which must stay empty) or error.
func drain<Record: Hashable>(batchSize: Int, slack: Int, _ next: () throws(TraceError) -> UnsafeMutableBufferPointer<Record>) -> Outcome<Record> {
    var out = Outcome<Record>()
    do {
        while true {
            let batch = try next()
            if batch.isEmpty {
                // The end must be sticky.
                if !(try next()).isEmpty { finding("a batch after the end of the trace") }
                break
            }
            if batch.count > batchSize + slack { finding("batch of \(batch.count) for batch size \(batchSize)") }
            out.records.append(contentsOf: batch)
            out.batches += 1
        }
    } catch {
        out.error = error
    }
    return out
}

/// Reading with a small batch (and window) must give the same error as reading with the default
/// ones, and the same records; after an error, only those of the batches before it, so one run's
/// records must then be a prefix of the other's (the batch that meets a bad line is not
/// returned). A line longer than a small `window` is an error there, and only there.
func checkSameOutcome<Record: Hashable>(_ a: Outcome<Record>, _ b: Outcome<Record>, _ what: String, window: Int? = nil) {
    let tooLong = window.map { "line is longer than \($0) bytes" }
    let windowError = tooLong != nil && b.error?.message.hasPrefix(tooLong!) == true
    guard a.error == b.error || windowError else {
        finding("\(what): batch size changes the error: \(a.error.map(String.init(describing:)) ?? "none") vs \(b.error.map(String.init(describing:)) ?? "none")")
    }
    let (short, long) = a.records.count <= b.records.count ? (a.records, b.records) : (b.records, a.records)
    guard a.error == nil && b.error == nil ? a.records == b.records : long.starts(with: short) else {
        finding("\(what): batch size changes the records: \(a.records.count) vs \(b.records.count) (first difference at record \(zip(a.records, b.records).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(a.records.count, b.records.count)))")
    }
}

/// The input as text, as the command line or a script file would hand it over.
func inputText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}
