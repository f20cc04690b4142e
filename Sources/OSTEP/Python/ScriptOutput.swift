/// A script's standard output: bytes gathered in a buffer and handed to a sink in large chunks, with
/// appenders that format as Python's `print` and `%` do, straight into bytes.
///
///     let out = ScriptOutput { chunk in /* write(1, ...) */ }
///     out.write("Access: "); out.int(7); out.newline()
///     out.finish()
public final class ScriptOutput {
    @usableFromInline var buffer: [UInt8] = []
    @usableFromInline let sink: ((UnsafeBufferPointer<UInt8>) -> Void)?
    @usableFromInline var collected: [UInt8] = []
    @usableFromInline static let chunkSize = 1 << 16

    /// Output passed to `sink` in chunks of about 64 KiB (and the rest at `finish()`).
    public init(sink: @escaping (UnsafeBufferPointer<UInt8>) -> Void) {
        self.sink = sink
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Output kept in memory, read back with `bytes` after `finish()`.
    public init() {
        sink = nil
    }

    /// Everything written so far, when there is no sink.
    public var bytes: [UInt8] { collected + buffer }

    /// Hands everything buffered to the sink.
    /// - Complexity: O(buffered bytes).
    public func finish() {
        guard !buffer.isEmpty else { return }
        if let sink {
            buffer.withUnsafeBufferPointer { sink($0) }
        } else {
            collected += buffer
        }
        buffer.removeAll(keepingCapacity: true)
    }

    @inlinable
    func flushIfFull() {
        if buffer.count >= Self.chunkSize, sink != nil { finish() }
    }

    /// Appends UTF-8 text.
    /// - Complexity: O(text length).
    @inlinable
    public func write(_ text: String) {
        var t = text
        t.withUTF8 { buffer.append(contentsOf: $0) }
    }

    /// Appends one byte.
    @inlinable
    public func byte(_ b: UInt8) { buffer.append(b) }

    /// Ends the line (`print`'s `"\n"`).
    @inlinable
    public func newline() {
        buffer.append(0x0A)
        flushIfFull()
    }

    /// Appends `text` and ends the line: `print(text)`.
    @inlinable
    public func line(_ text: String) {
        write(text)
        newline()
    }

    /// Appends `'%<0?><width>d' % value`.
    /// - Complexity: O(digits + width).
    @inlinable
    public func int(_ value: Int, width: Int = 0, zeroPad: Bool = false) {
        appendPyFormat(value, width: width, zeroPad: zeroPad, radix: 10, to: &buffer)
    }

    /// Appends `'%<0?><width>x' % value`.
    /// - Complexity: O(digits + width).
    @inlinable
    public func hex(_ value: Int, width: Int = 0, zeroPad: Bool = false) {
        appendPyFormat(value, width: width, zeroPad: zeroPad, radix: 16, to: &buffer)
    }

    /// Appends `str(flag)`: `True` or `False`.
    public func bool(_ flag: Bool) { write(flag ? "True" : "False") }

    /// Appends raw bytes.
    @inlinable
    public func bytes(_ b: some Collection<UInt8>) { buffer.append(contentsOf: b) }
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
    public init(reason: String) { self.reason = reason }
}
