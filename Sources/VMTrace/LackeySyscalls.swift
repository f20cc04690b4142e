import VMSim

/// One system call of a Lackey log written with `--trace-syscalls=yes`, as Valgrind's syswrap
/// printed it: `SYSCALL[PID,TID](NR) sys_mmap ( 0x0, 8192, 3, 34, 4294967295, 0 ) --> [pre-success]
/// Success(0x4835000)`. A blocking call prints `--> [async] ...` and completes on a later line
/// (`SYSCALL[PID,TID](NR) ... [async] --> Success(0x4)`); `clone` prints its result on the next
/// line (` --> [pre-success] Success(0x842)`) after `clone(fork): process P created child C`; a
/// successful `execve` prints no result at all (the process image is gone), so a log that ends on
/// an `execve` line ended in a successful exec.
public struct RecordedSyscall: Hashable, Sendable {
    /// What the call returned.
    public enum Result: Hashable, Sendable {
        /// `Success(0x...)`: the return value.
        case success(UInt64)
        /// `Failure(0x...)`: the errno.
        case failure(UInt64)
        /// None was printed: an `execve` the log ends on (it succeeded), or a call the log was cut in.
        case none
    }

    /// The process and thread ids Valgrind printed.
    public var pid: Int, tid: Int
    /// The system call number (x86-64: 9 mmap, 11 munmap, 12 brk, ...).
    public var number: Int
    /// The wrapper's name (`sys_mmap`, `exit_group`; `ni_syscall` for one the kernel lacks).
    public var name: String
    /// The arguments as printed (`0x4835000`, `8192`, `0x4034bb0(/lib/libc.so.6)`).
    public var arguments: [String]
    /// The result.
    public var result: Result
    /// The child's pid, from `clone(fork): process P created child C`.
    public var child: Int?
    /// The line the call started on, and the line its result was on.
    public var line: Int, resultLine: Int

    /// A call. - Complexity: O(1).
    public init(pid: Int, tid: Int, number: Int, name: String, arguments: [String], result: Result, child: Int? = nil, line: Int, resultLine: Int? = nil) {
        self.pid = pid; self.tid = tid; self.number = number; self.name = name; self.arguments = arguments
        self.result = result; self.child = child; self.line = line; self.resultLine = resultLine ?? line
    }

    /// Argument `i` as a number: `0x` hex, else decimal (Valgrind prints lengths, protections,
    /// flags and descriptors in decimal, addresses in `%#lx`); nil when absent or not a number.
    /// - Complexity: O(length of the argument).
    public func number(_ i: Int) -> UInt64? {
        guard i < arguments.count else { return nil }
        var s = Substring(arguments[i])
        if let p = s.firstIndex(of: "(") { s = s[..<p] }
        if s.hasPrefix("0x") { return UInt64(s.dropFirst(2), radix: 16) }
        return UInt64(s)
    }

    /// Argument `i` as hex without `0x` (how `sys_clone` prints its flags, `%lx`).
    /// - Complexity: O(length of the argument).
    public func hexNumber(_ i: Int) -> UInt64? {
        guard i < arguments.count else { return nil }
        let s = arguments[i].hasPrefix("0x") ? Substring(arguments[i].dropFirst(2)) : Substring(arguments[i])
        return UInt64(s, radix: 16)
    }

    /// The string Valgrind printed beside pointer argument `i` (`0x4034bb0(/lib/libc.so.6)`).
    /// - Complexity: O(length of the argument).
    public func string(_ i: Int) -> String? {
        guard i < arguments.count, let open = arguments[i].firstIndex(of: "("), arguments[i].hasSuffix(")") else { return nil }
        return String(arguments[i][arguments[i].index(after: open)..<arguments[i].index(before: arguments[i].endIndex)])
    }

    /// The return value of a successful call.
    public var returned: UInt64? { if case .success(let v) = result { v } else { nil } }
}

/// Reads Lackey lines for a recording's replay: access records into the batch, `SYSCALL` lines
/// into completed calls (`ready`), stopping the batch at each so accesses and calls stay in
/// program order. Async calls wait for their completion line, keyed by pid and thread.
final class LackeySyscallParser: AccessLineParser {
    var maxAccessesPerLine: Int { 1 }
    /// Calls completed and not yet taken, in order.
    var ready: [RecordedSyscall] = []
    /// Calls waiting for a `[async] -->` completion, by (pid, tid).
    var async: [Int: RecordedSyscall] = [:]
    /// A call whose result comes on the next ` --> ` line (clone, an unimplemented call).
    var awaitingResult: RecordedSyscall?
    /// The line being parsed.
    var line = 0
    /// Whether a SYSCALL line was seen.
    var sawSyscalls = false
    private let access = LackeyAddressParser()

    var stopsBatch: Bool { !ready.isEmpty }
    var forgivesCutLastLine: Bool { true }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<AddressAccess>, count: inout Int) throws(LineError) {
        line += 1
        if c.end > 8 && c.base[0] == UInt8(ascii: "S") && c.base[1] == UInt8(ascii: "Y") {
            let text = String(decoding: UnsafeBufferPointer(start: c.base, count: c.end), as: UTF8.self)
            sawSyscalls = true
            try syscallLine(text)
            return
        }
        var probe = c
        probe.skipSpaces()
        if probe.end - probe.i >= 3 && probe.base[probe.i] == UInt8(ascii: "-") && probe.base[probe.i + 1] == UInt8(ascii: "-")
            && probe.base[probe.i + 2] == UInt8(ascii: ">") {
            let text = String(decoding: UnsafeBufferPointer(start: c.base + probe.i, count: c.end - probe.i), as: UTF8.self)
            if var call = awaitingResult {
                awaitingResult = nil
                call.result = Self.result(in: text) ?? .none
                call.resultLine = line
                finish(call)
            }
            // Otherwise the child's half of a clone (its log starts with the result line): nothing to do.
            return
        }
        try access.parse(&c, into: out, count: &count)
    }

    /// Hands a completed call on (an async start waits instead).
    private func finish(_ call: RecordedSyscall) {
        ready.append(call)
    }

    private func syscallLine(_ text: String) throws(LineError) {
        // SYSCALL[PID,TID](NR) REST
        guard text.hasPrefix("SYSCALL["), let comma = text.firstIndex(of: ","), let close = text.firstIndex(of: "]"),
              comma < close, let pid = Int(text[text.index(text.startIndex, offsetBy: 8)..<comma]),
              let tid = Int(text[text.index(after: comma)..<close]) else {
            throw LineError("expected SYSCALL[PID,TID](NR) ..., got '\(String(text.prefix(60)))'")
        }
        let afterBracket = text.index(after: close)
        guard afterBracket < text.endIndex, text[afterBracket] == "(", let nrEnd = text[afterBracket...].firstIndex(of: ")"),
              let number = Int(text[text.index(after: afterBracket)..<nrEnd]) else {
            throw LineError("expected (NR) after SYSCALL[\(pid),\(tid)], got '\(String(text.prefix(60)))'")
        }
        if awaitingResult != nil {
            // The previous call's result line never came (a cut log, or interleaved threads): hand it on without one.
            finish(awaitingResult!)
            awaitingResult = nil
        }
        let rest = text[text.index(after: nrEnd)...].drop { $0 == " " }
        let key = pid << 20 | tid
        if rest.hasPrefix("... [async]") || rest.hasPrefix("...") {
            guard var call = async.removeValue(forKey: key) else { return }   // its start was before the log (or cut)
            call.result = Self.result(in: String(rest)) ?? .none
            call.resultLine = line
            finish(call)
            return
        }
        // NAME ( ARGS ) or exit_group( N ): the name runs to the first space or parenthesis.
        let nameEnd = rest.firstIndex { $0 == " " || $0 == "(" } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        var arguments: [String] = []
        var tail = rest[nameEnd...]
        if let open = tail.firstIndex(of: "(") {
            let (args, after) = Self.arguments(tail[tail.index(after: open)...])
            arguments = args
            tail = after
        }
        var call = RecordedSyscall(pid: pid, tid: tid, number: number, name: name, arguments: arguments, result: .none, line: line)
        if let r = tail.findRange("created child "), let child = Int(tail[r.upperBound...].prefix { $0.isNumber }) {
            call.child = child
        }
        guard let arrow = tail.findRange("-->") else {
            // The result comes on the next line (clone, an unimplemented call), or never (execve).
            awaitingResult = call
            return
        }
        let outcome = tail[arrow.upperBound...]
        if outcome.contains("[async]") && !outcome.contains("Success(") && !outcome.contains("Failure(") {
            async[key] = call
            return
        }
        call.result = Self.result(in: String(outcome)) ?? .none
        finish(call)
    }

    /// The arguments between `( ` and the matching ` )`, split at top-level commas; and the text after.
    static func arguments(_ s: Substring) -> ([String], Substring) {
        var args: [String] = []
        var current = ""
        var depth = 0
        var i = s.startIndex
        while i < s.endIndex {
            let ch = s[i]
            if ch == "(" { depth += 1 }
            if ch == ")" {
                if depth == 0 {
                    let a = current.trimmingSpaces
                    if !a.isEmpty { args.append(a) }
                    return (args, s[s.index(after: i)...])
                }
                depth -= 1
            }
            if ch == "," && depth == 0 {
                args.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(ch)
            }
            i = s.index(after: i)
        }
        return (args, s[s.endIndex...])
    }

    /// `Success(0x..)` or `Failure(0x..)` in `s`.
    static func result(in s: String) -> RecordedSyscall.Result? {
        for (word, success) in [("Success(", true), ("Failure(", false)] {
            guard let r = Substring(s).findRange(word) else { continue }
            var digits = s[r.upperBound...].prefix { $0 != ")" }
            if digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
            guard let v = UInt64(digits, radix: 16) else { return nil }
            return success ? .success(v) : .failure(v)
        }
        return nil
    }

    /// At the end of the log: a call still waiting for its result is handed on without one.
    func flush() {
        if let call = awaitingResult {
            awaitingResult = nil
            finish(call)
        }
    }
}

extension Substring {
    /// The first occurrence of `needle`.
    fileprivate func findRange(_ needle: String) -> Range<Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// A Lackey log read as a recording: batches of accesses, each ended by the system calls that
/// followed it, in program order.
///
///     let log = try LackeyRecording.open("lackey.2113.1")
///     while let step = try log.next() {
///         machine.replay(pid, step.accesses, ...)
///         for call in step.syscalls { ... }
///     }
public final class LackeyRecording {
    /// What one step of the log holds: accesses, then the calls that came after them.
    public struct Step {
        /// Valid until the next call of `next()`.
        public var accesses: UnsafeBufferPointer<AddressAccess>
        public var syscalls: [RecordedSyscall]
    }

    let reader: TextAccessReader<LackeySyscallParser>
    let parser: LackeySyscallParser
    private var done = false
    /// The file's name in messages.
    public var name: String { reader.input.stream.name }
    /// Lines read so far.
    public var line: Int { reader.line }
    /// Whether the last line was cut short (no newline and not a whole record): the log was
    /// truncated there, and what came before it was read.
    public private(set) var truncatedAt: Int?
    /// Whether any SYSCALL line was read (the log was recorded with --trace-syscalls=yes).
    public var sawSyscalls: Bool { parser.sawSyscalls }
    /// Calls still waiting for an async completion when the log ended.
    public var pendingAtEnd: [RecordedSyscall] { parser.async.values.sorted { $0.line < $1.line } }

    /// Opens `path` (`.gz`/`.zst` decompressed).
    /// - Throws: `TraceError` when it cannot be opened.
    /// - Complexity: O(1).
    public static func open(_ path: String, displayName: String? = nil, batchSize: Int = 1 << 15) throws(TraceError) -> LackeyRecording {
        let stream = try ByteStream.open(path, displayName: displayName)
        return LackeyRecording(input: InputBuffer(stream: stream), batchSize: batchSize)
    }

    init(input: InputBuffer, batchSize: Int) {
        parser = LackeySyscallParser()
        reader = TextAccessReader(input: input, format: .lackey, parser: parser, batchSize: batchSize)
    }

    /// The next step, or nil at the end of the log.
    /// - Throws: `TraceError` naming the line of a malformed record (a last line cut short is
    ///   not an error: `truncatedAt` says where).
    /// - Complexity: O(bytes read).
    public func next() throws(TraceError) -> Step? {
        if done { return nil }
        let batch = try reader.nextBatch()
        if let cut = reader.cutLastLine, truncatedAt == nil, case .line(let n) = cut.location {
            truncatedAt = n
            parser.flush()
            done = true
            let calls = parser.ready
            parser.ready = []
            return batch.isEmpty && calls.isEmpty ? nil : Step(accesses: UnsafeBufferPointer(batch), syscalls: calls)
        }
        if batch.isEmpty && parser.ready.isEmpty {
            parser.flush()
            done = true
        }
        let calls = parser.ready
        parser.ready = []
        if batch.isEmpty && calls.isEmpty { return nil }
        return Step(accesses: UnsafeBufferPointer(batch), syscalls: calls)
    }
}
