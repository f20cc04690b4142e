#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// `valgrind --tool=memcheck --trace-malloc=yes PROGRAM 2> LOG`: one `--PID-- call(args) = result`
/// line per allocation call, among the program's own output and Valgrind's `==PID==` lines.
///
/// Ids are addresses. Read and counted as memcheck counts (so that a replay's allocs, frees, bytes
/// allocated and bytes and blocks in use at exit equal the log's HEAP SUMMARY):
/// - malloc, calloc (n × m bytes), valloc, memalign / posix_memalign / aligned_alloc (the size,
///   whatever the alignment), operator new and new[] in all their mangled forms: an allocation,
///   unless it returned NULL;
/// - free, operator delete and delete[] (sized, aligned): a free, except of NULL;
/// - `realloc(0x0,n)malloc(n) = P`: an allocation; `realloc(P,n) = Q`: a realloc (a free of P
///   and an allocation at Q); `realloc(P,0)free(P)` (its result on the next line): a free;
///   `realloc(P,n) = 0x0`: a failed realloc, counted but changing nothing.
/// Lines of other processes (children that forked) are skipped with a warning, as is program
/// output; program output without a newline before a record is skipped up to the record.
final class ValgrindMallocReader: HeapLineReader, HeapTraceReader {
    var format: HeapTraceFormat { .valgrind }
    override var formatName: String { "Valgrind --trace-malloc" }

    private var pid: UInt64?
    private var marker: [UInt8] = []
    private var otherProcessLines = 0
    private var otherProcess: UInt64 = 0
    private var inUse: (bytes: UInt64, blocks: UInt64)?
    private var usage: (allocs: UInt64, frees: UInt64, bytes: UInt64)?

    override var memcheckSummary: MemcheckSummary? {
        guard let inUse, let usage else { return nil }
        return MemcheckSummary(inUseAtExitBytes: inUse.bytes, inUseAtExitBlocks: inUse.blocks,
                               allocs: usage.allocs, frees: usage.frees, bytesAllocated: usage.bytes)
    }

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<HeapOp> {
        try fill { (c: inout LineCursor) throws(LineError) in try self.parse(&c) }
    }

    override func finish() throws(LineError) {
        if otherProcessLines > 0 {
            warnings.append(TraceWarning(line: nil, message: "\(otherProcessLines) lines of process \(otherProcess) (not the traced process \(pid ?? 0), a child) were skipped"))
        }
    }

    private func parse(_ c: inout LineCursor) throws(LineError) {
        if c.end >= 2 && (c.base[0] == UInt8(ascii: "=") || c.base[0] == UInt8(ascii: "-")) && c.base[1] == c.base[0] {
            let dash = c.base[0]
            c.i = 2
            if let p = c.decimal(), !c.atEnd, c.current == dash, c.i + 1 < c.end, c.base[c.i + 1] == dash {
                c.i += 2
                if pid == nil {
                    pid = p
                    marker = Array("--\(p)-- ".utf8)
                }
                if p != pid {
                    otherProcessLines += 1
                    otherProcess = p
                    return
                }
                if dash == UInt8(ascii: "=") { parseSummary(&c) } else { try parseRecord(&c) }
                return
            }
            c.i = 0
        }
        // Program output; a record may follow it on the same line.
        guard !marker.isEmpty, c.end > marker.count else { return }
        let found = marker.withUnsafeBufferPointer { m in findBytes(m.baseAddress!, m.count, in: c.base, c.end) }
        guard let found else { return }
        c.i = found + marker.count
        try parseRecord(&c)
    }

    /// `in use at exit: 21,413 bytes in 18 blocks` and `total heap usage: 318 allocs, 300 frees,
    /// 108,298 bytes allocated`.
    private func parseSummary(_ c: inout LineCursor) {
        c.skipSpaces()
        if c.skip("in use at exit: ") {
            guard let bytes = grouped(&c), c.skip(" bytes in "), let blocks = grouped(&c) else { return }
            inUse = (bytes, blocks)
        } else if c.skip("total heap usage: ") {
            guard let allocs = grouped(&c), c.skip(" allocs, "), let frees = grouped(&c), c.skip(" frees, "),
                  let bytes = grouped(&c) else { return }
            usage = (allocs, frees, bytes)
        }
    }

    /// A number with thousands separators.
    private func grouped(_ c: inout LineCursor) -> UInt64? {
        var value: UInt64 = 0, digits = 0
        while !c.atEnd {
            let b = c.current
            if b == UInt8(ascii: ",") { c.i += 1; continue }
            guard b &- 0x30 < 10 else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b &- 0x30))
            if o1 || o2 { return nil }
            value = a
            digits += 1
            c.i += 1
        }
        return digits > 0 ? value : nil
    }

    private enum Call { case allocate, callocate, aligned, reallocate, reallocArray, release }

    private func classify(_ c: LineCursor, _ start: Int, _ end: Int) -> Call? {
        let n = end - start
        func isName(_ s: StaticString) -> Bool {
            n == s.utf8CodeUnitCount && memcmp(c.base + start, s.utf8Start, n) == 0
        }
        func hasPrefix(_ s: StaticString) -> Bool {
            n >= s.utf8CodeUnitCount && memcmp(c.base + start, s.utf8Start, s.utf8CodeUnitCount) == 0
        }
        if isName("malloc") || isName("valloc") || isName("pvalloc") || hasPrefix("_Znw") || hasPrefix("_Zna")
            || isName("__builtin_new") || isName("__builtin_vec_new") { return .allocate }
        if isName("free") || isName("cfree") || hasPrefix("_Zdl") || hasPrefix("_Zda")
            || isName("__builtin_delete") || isName("__builtin_vec_delete") { return .release }
        if isName("calloc") { return .callocate }
        if isName("realloc") { return .reallocate }
        if isName("reallocarray") { return .reallocArray }
        if isName("memalign") || isName("posix_memalign") || isName("aligned_alloc") { return .aligned }
        return nil
    }

    private func parseRecord(_ c: inout LineCursor) throws(LineError) {
        c.skipSpaces()
        let start = c.i
        while !c.atEnd {
            let b = c.current
            guard b == UInt8(ascii: "_") || (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 else { break }
            c.i += 1
        }
        guard c.i > start, !c.atEnd, c.current == UInt8(ascii: "("), let call = classify(c, start, c.i) else { return }
        let name = String(decoding: UnsafeBufferPointer(start: c.base + start, count: c.i - start), as: UTF8.self)
        c.i += 1
        // Arguments: numbers (0x-hex or decimal), some labelled `al N` or `size N`.
        var args: [UInt64] = []
        var labelledSize: UInt64?
        while true {
            c.skipSpaces()
            if !c.atEnd && c.current == UInt8(ascii: ")") { c.i += 1; break }
            var isSize = false
            if c.skip("size ") { isSize = true } else { _ = c.skip("al ") }
            guard let v = c.number() else {
                throw LineError("expected a number in the arguments of \(name)(...), got '\(c.excerpt())'")
            }
            if isSize { labelledSize = v }
            args.append(v)
            c.skipSpaces()
            if !c.atEnd && c.current == UInt8(ascii: ",") { c.i += 1; continue }
            guard !c.atEnd && c.current == UInt8(ascii: ")") else {
                throw LineError("expected ',' or ')' in the arguments of \(name)(...), got '\(c.excerpt())'")
            }
            c.i += 1
            break
        }
        guard !args.isEmpty else { throw LineError("\(name)() has no arguments") }
        // What follows: an inner call (realloc's malloc(n) or free(p)), then ` = RESULT`.
        let rest = c.i
        var innerFree = false
        var result: UInt64?
        while !c.atEnd && c.current != UInt8(ascii: "=") { c.i += 1 }
        if findBytes("free(", 5, in: c.base + rest, c.i - rest) != nil { innerFree = true }
        if !c.atEnd {
            c.i += 1
            c.skipSpaces()
            guard let r = c.number() else {
                throw LineError("expected an address after '=' in the \(name) record, got '\(c.excerpt())'")
            }
            result = r
        }
        let line = self.line
        func needResult() throws(LineError) -> UInt64 {
            guard let result else { throw LineError("expected ' = ADDRESS' after the \(name)(...) call") }
            return result
        }
        switch call {
        case .release:
            if args[0] != 0 { emit(HeapOp(kind: .free, id: args[0], line: line)) }
        case .allocate, .aligned, .callocate:
            let size: UInt64
            switch call {
            case .callocate:
                guard args.count == 2 else { throw LineError("calloc takes 2 arguments, got \(args.count)") }
                let (product, overflow) = args[0].multipliedReportingOverflow(by: args[1])
                if overflow { return } // memcheck returns NULL without counting
                size = product
            case .aligned: size = labelledSize ?? args[args.count - 1]
            default: size = labelledSize ?? args[0]
            }
            let address = try needResult()
            if address != 0 { emit(HeapOp(kind: .alloc, id: address, size: size, line: line)) }
        case .reallocate, .reallocArray:
            let expected = call == .reallocate ? 2 : 3
            guard args.count == expected else { throw LineError("\(name) takes \(expected) arguments, got \(args.count)") }
            let old = args[0]
            var size = args[1]
            if call == .reallocArray {
                let (product, overflow) = args[1].multipliedReportingOverflow(by: args[2])
                if overflow { return }
                size = product
            }
            if innerFree && old != 0 && result == nil {
                emit(HeapOp(kind: .free, id: old, line: line)) // realloc(p, 0) frees p
                return
            }
            let address = try needResult()
            if old == 0 {
                if address != 0 { emit(HeapOp(kind: .alloc, id: address, size: size, line: line)) }
            } else if address == 0 {
                emit(size == 0 ? HeapOp(kind: .free, id: old, line: line)
                               : HeapOp(kind: .realloc, id: old, size: size, line: line, flags: .failedInTrace))
            } else {
                emit(HeapOp(kind: .realloc, id: old, newID: address, size: size, line: line))
            }
        }
    }
}

/// The offset of the first occurrence of `needle` in `haystack`, or nil (memmem without _GNU_SOURCE).
func findBytes(_ needle: UnsafePointer<UInt8>, _ n: Int, in haystack: UnsafePointer<UInt8>, _ count: Int) -> Int? {
    guard n > 0, count >= n else { return nil }
    var i = 0
    while i <= count - n {
        guard let p = memchr(haystack + i, Int32(needle[0]), count - n + 1 - i) else { return nil }
        i = UnsafeRawPointer(p) - UnsafeRawPointer(haystack)
        if memcmp(haystack + i, needle, n) == 0 { return i }
        i += 1
    }
    return nil
}
