/// A script's standard output: bytes gathered in a buffer and handed to a sink in large chunks, with
/// appenders that format as Python's `print` and `%` do, straight into bytes.
///
///     let out = ScriptOutput { chunk in /* write(1, ...) */ }
///     out.write("Access: "); out.int(7); out.newline()   // literals; out.text(s) for a String
///     out.finish()
public final class ScriptOutput {
    // Raw storage: appends are a bounds check and a copy, without Array's uniqueness checks or the
    // dynamic exclusivity checks of a class's stored array.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var count = 0
    @usableFromInline let sink: ((UnsafeBufferPointer<UInt8>) -> Void)?
    /// `smallDecimals`, held here so the hot path skips the global's lazy-initialisation check.
    @usableFromInline let digitTable = smallDecimals
    /// `fourDigits`, held here for the same reason.
    @usableFromInline let fourDigitTable = fourDigits
    @usableFromInline var collected: [UInt8] = []
    @usableFromInline static let chunkSize = 1 << 16

    /// Output passed to `sink` in chunks of about 64 KiB (and the rest at `finish()`).
    /// - Complexity: O(1).
    public init(sink: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.sink = sink
        capacity = Self.chunkSize + 4096
        base = .allocate(capacity: capacity)
    }

    /// Output kept in memory, read back with `bytes` after `finish()`.
    /// - Complexity: O(1).
    public init() {
        sink = nil
        capacity = 4096
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Everything written so far, when there is no sink.
    public var bytes: [UInt8] { collected + UnsafeBufferPointer(start: base, count: count) }

    /// Hands everything buffered to the sink.
    /// - Complexity: O(buffered bytes).
    public func finish() {
        guard count > 0 else { return }
        let chunk = UnsafeBufferPointer(start: base, count: count)
        if let sink { sink(chunk) } else { collected += chunk }
        count = 0
    }

    @inlinable
    func flushIfFull() {
        if count >= Self.chunkSize, sink != nil { finish() }
    }

    @usableFromInline
    @inline(never)
    func grow(_ needed: Int) {
        let newCapacity = max(capacity * 2, count + needed)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// The bytes buffered since the last `finish()` or `reset()`.
    @inlinable
    var buffered: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Drops everything written (for an output used as scratch space).
    @inlinable
    func reset() {
        count = 0
        collected.removeAll(keepingCapacity: true)
    }

    /// Appends raw bytes.
    /// - Complexity: O(bytes).
    @inlinable @inline(__always)
    public func bytes(_ b: UnsafeRawBufferPointer) {
        if count &+ b.count > capacity { grow(b.count) }
        if b.count <= 16 {
            // Short pieces (numbers, separators) are cheaper copied by hand than through memmove.
            var i = 0
            while i < b.count { base[count &+ i] = b[i]; i &+= 1 }
        } else if let src = b.baseAddress {
            UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: b.count)
        }
        count &+= b.count
    }

    /// Appends raw bytes.
    /// - Complexity: O(bytes).
    @inlinable
    public func bytes(_ b: [UInt8]) { b.withUnsafeBytes { bytes($0) } }

    /// Appends UTF-8 text known at compile time.
    /// - Complexity: O(text length).
    @inlinable @inline(__always)
    public func write(_ text: StaticString) {
        bytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends the UTF-8 of `text`.
    /// - Complexity: O(text length).
    @inlinable
    public func text(_ text: String) {
        var t = text
        t.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// Appends one byte.
    /// - Complexity: O(1) amortized.
    @inlinable
    public func byte(_ b: UInt8) {
        if count == capacity { grow(1) }
        base[count] = b
        count &+= 1
    }

    /// Ends the line (`print`'s `"\n"`), handing a full buffer to the sink.
    /// - Complexity: O(1), or O(buffered bytes) when the buffer goes to the sink.
    @inlinable
    public func newline() {
        byte(0x0A)
        flushIfFull()
    }

    /// Appends `text` and ends the line: `print(text)`.
    /// - Complexity: O(text length).
    @inlinable
    public func line(_ text: StaticString) {
        write(text)
        newline()
    }

    /// Appends `text` and ends the line: `print(text)`.
    /// - Complexity: O(text length).
    @inlinable
    public func line(text: String) {
        self.text(text)
        newline()
    }

    /// Appends `'%<0?><width>d' % value`.
    /// - Complexity: O(digits + width).
    @inlinable @inline(__always)
    public func int(_ value: Int, width: Int = 0, zeroPad: Bool = false) {
        guard UInt(bitPattern: value) < 100_000_000, width <= 16, count &+ 32 <= capacity else {
            formatInt(value, width: width, zeroPad: zeroPad)
            return
        }
        // The common case (a page, an address, a count): digits from tables, stored four at a time.
        var p = base + count
        if value < 10_000 {
            let entry = digitTable[value]
            let length = Int(truncatingIfNeeded: entry >> 32)
            if width > length { p = fill(p, width &- length, zeroPad) }
            UnsafeMutableRawPointer(p).storeBytes(of: UInt32(truncatingIfNeeded: entry), as: UInt32.self)
            count = p - base + length
        } else {
            let (high, low) = value.quotientAndRemainder(dividingBy: 10_000)
            let entry = digitTable[high]
            let length = Int(truncatingIfNeeded: entry >> 32)
            if width > length &+ 4 { p = fill(p, width &- length &- 4, zeroPad) }
            UnsafeMutableRawPointer(p).storeBytes(of: UInt32(truncatingIfNeeded: entry), as: UInt32.self)
            UnsafeMutableRawPointer(p + length).storeBytes(of: fourDigitTable[low], as: UInt32.self)
            count = p - base + length &+ 4
        }
    }

    /// Writes `n` padding bytes (spaces, or zeros when `zeroPad`) at `p`; returns the end.
    @inlinable @inline(__always)
    func fill(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, _ zeroPad: Bool) -> UnsafeMutablePointer<UInt8> {
        p.update(repeating: zeroPad ? 0x30 : 0x20, count: n)
        return p + n
    }

    @usableFromInline
    @inline(never)
    func formatInt(_ value: Int, width: Int, zeroPad: Bool) {
        withPyFormat(value, width: width, zeroPad: zeroPad, radix: 10) { bytes($0) }
    }

    /// Appends `'%<0?><width>x' % value`.
    /// - Complexity: O(digits + width).
    @inlinable @inline(__always)
    public func hex(_ value: Int, width: Int = 0, zeroPad: Bool = false) {
        guard value >= 0, width <= 16, count &+ 32 <= capacity else {
            formatHex(value, width: width, zeroPad: zeroPad)
            return
        }
        let v = UInt64(value)
        let digits = max(1, (67 &- v.leadingZeroBitCount) / 4)
        var p = base + count
        if width > digits { p = fill(p, width &- digits, zeroPad) }
        var shift = UInt64(digits &- 1) &* 4
        while true {
            let d = UInt8(truncatingIfNeeded: (v >> shift) & 15)
            p.pointee = d < 10 ? 0x30 &+ d : 0x57 &+ d
            p += 1
            if shift == 0 { break }
            shift &-= 4
        }
        count = p - base
    }

    @usableFromInline
    @inline(never)
    func formatHex(_ value: Int, width: Int, zeroPad: Bool) {
        withPyFormat(value, width: width, zeroPad: zeroPad, radix: 16) { bytes($0) }
    }
}

/// How a script run ends other than by running off its end.
public enum ScriptExit: Error, Equatable, Sendable {
    /// The script called `exit(status)` / `sys.exit(status)` (its message, if any, already printed).
    case exit(Int32)
    /// optparse rejected the arguments: usage and `PROG: error: message` on standard error, status 2.
    case usage(String)
    /// The Python script would stop here with an uncaught exception (a traceback, status 1), or
    /// never stop; VMSim prints this sentence instead and exits with status 1. `exception` names the
    /// Python exception for the reader (`endlessLoop` when the script would loop forever; `nil`
    /// where VMSim stops and the script would not).
    case crash(String, exception: String?)

    /// The `exception` of a `crash` where the script would loop forever.
    public static let endlessLoop = "an endless loop"
}

/// What a run may ask of the machine: the environment (optparse reads `COLUMNS` for `--help`) and
/// files (`paging-policy -f FILE`). Tests pass a fixed host.
public struct ScriptHost: Sendable {
    /// `os.environ.get(name)`.
    public var environment: @Sendable (String) -> String?
    /// The bytes of the file at `path`, or a sentence saying why it cannot be read (Python's
    /// `OSError` text, e.g. "No such file or directory").
    public var readFile: @Sendable (String) -> Result<[UInt8], FileReadError>

    /// A host with these environment and file look-ups.
    /// - Complexity: O(1).
    public init(environment: @escaping @Sendable (String) -> String?,
                readFile: @escaping @Sendable (String) -> Result<[UInt8], FileReadError>) {
        self.environment = environment
        self.readFile = readFile
    }

    /// No environment variables and no files.
    public static let empty = ScriptHost(environment: { _ in nil },
                                         readFile: { _ in .failure(FileReadError(reason: "No such file or directory")) })
}

/// Why a file could not be read.
public struct FileReadError: Error, Sendable, Hashable {
    public var reason: String
    /// - Complexity: O(1).
    public init(reason: String) { self.reason = reason }
}
