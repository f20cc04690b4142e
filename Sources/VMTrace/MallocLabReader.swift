import VMSim

/// CS:APP malloc lab `.rep` traces: a header of four integers (suggested heap size, number of ids,
/// number of ops, weight), then one op a line: `a ID SIZE`, `f ID`, `r ID SIZE`.
///
/// Read as the lab's driver (mdriver.c) reads them, which the real traces rely on:
/// - it stops after the header's number of ops; lines after them are ignored, with a warning;
/// - `a ID` or `r ID` without a size reuses the previous size (its `fscanf("%u %u")` leaves the
///   variable alone), with a warning (29,923 of alaska.rep's 100,000 ops);
/// - ids are signed (`f -1` in corners.rep frees an id never allocated);
/// - every id starts out as a null pointer, so `r` of an id never allocated is realloc(NULL, n).
/// Fewer ops than the header declares, and ids outside 0..<ids, are warnings too. Anything else
/// that is not an op (a negative or overlong size, an unknown letter, extra text) is an error.
final class MallocLabReader: HeapLineReader, HeapTraceReader {
    var format: HeapTraceFormat { .malloclab }
    override var formatName: String { "malloc-lab" }

    private var header: [Int64] = []
    private var headerLines: [Int] = []
    private var declaredOps: UInt64 = 0
    private var declaredIDs: UInt64 = 0
    private var opsRead: UInt64 = 0
    private var previousSize: UInt64 = 0
    private var ignoredLines = 0
    private var firstIgnoredLine = 0
    private var missingSizes = 0
    private var firstMissingSize = 0
    private var idsOutside = 0
    private var firstIDOutside = (line: 0, id: Int64(0))

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<HeapOp> {
        try fill { (c: inout LineCursor) throws(LineError) in try self.parse(&c) }
    }

    private func parse(_ c: inout LineCursor) throws(LineError) {
        c.skipSpaces()
        if c.atEnd { return }
        if header.count < 4 { try parseHeader(&c); return }
        if opsRead == declaredOps {
            ignoredLines += 1
            if firstIgnoredLine == 0 { firstIgnoredLine = line }
            return
        }
        let letter = c.current
        guard letter == UInt8(ascii: "a") || letter == UInt8(ascii: "f") || letter == UInt8(ascii: "r"),
              c.i + 1 < c.end, c.base[c.i + 1] == 0x20 || c.base[c.i + 1] == 0x09 else {
            throw LineError("expected 'a ID SIZE', 'r ID SIZE' or 'f ID', got '\(c.excerpt())'")
        }
        c.i += 1
        c.skipSpaces()
        guard let (id, _) = c.signedDecimal() else {
            throw LineError("expected an id (a whole number that fits in 64 bits) after '\(Character(Unicode.Scalar(letter)))', got '\(c.excerpt())'")
        }
        let signedID = Int64(bitPattern: id)
        if signedID < 0 || UInt64(signedID) >= declaredIDs {
            idsOutside += 1
            if firstIDOutside.line == 0 { firstIDOutside = (line, signedID) }
        }
        c.skipSpaces()
        if letter == UInt8(ascii: "f") {
            guard c.atEnd else { throw LineError("unexpected text after 'f \(signedID)': '\(c.excerpt())'") }
            emit(HeapOp(kind: .free, id: id, line: line, flags: .unknownIsNull))
        } else {
            var size = previousSize
            if c.atEnd {
                missingSizes += 1
                if firstMissingSize == 0 { firstMissingSize = line }
            } else {
                if c.current == UInt8(ascii: "-") {
                    throw LineError("negative size in '\(c.excerpt())'; sizes are byte counts")
                }
                guard let n = c.decimal() else {
                    throw LineError("expected a size in bytes after the id, got '\(c.excerpt())'")
                }
                c.skipSpaces()
                guard c.atEnd else { throw LineError("unexpected text after the size: '\(c.excerpt())'") }
                size = n
            }
            previousSize = size
            emit(HeapOp(kind: letter == UInt8(ascii: "a") ? .alloc : .realloc, id: id, size: size, line: line, flags: .unknownIsNull))
        }
        opsRead += 1
    }

    private func parseHeader(_ c: inout LineCursor) throws(LineError) {
        while !c.atEnd {
            guard let (v, _) = c.signedDecimal() else {
                throw LineError("expected the malloc-lab header, 4 integers (suggested heap size, number of ids, number of ops, weight), got '\(c.excerpt())'")
            }
            if header.count == 4 { throw LineError("unexpected text after the 4 header integers: '\(c.excerpt())'") }
            header.append(Int64(bitPattern: v))
            headerLines.append(line)
            c.skipSpaces()
            if header.count == 2 && header[1] < 0 {
                throw LineError("the header declares \(header[1]) ids; a count cannot be negative")
            }
            if header.count == 3 && header[2] < 0 {
                throw LineError("the header declares \(header[2]) ops; a count cannot be negative")
            }
        }
        if header.count == 4 {
            declaredIDs = UInt64(header[1])
            declaredOps = UInt64(header[2])
        }
    }

    override func finish() throws(LineError) {
        if header.count < 4 {
            throw LineError(line == 0 ? "the trace is empty" : "the trace ends inside its header (\(header.count) of 4 integers)")
        }
        if opsRead < declaredOps {
            warnings.append(TraceWarning(line: headerLines[2], message: "the header declares \(declaredOps) ops but the trace has only \(opsRead)"))
        }
        if ignoredLines > 0 {
            warnings.append(TraceWarning(line: firstIgnoredLine, message: "the header declares \(declaredOps) ops; the \(ignoredLines) line\(ignoredLines == 1 ? "" : "s") after them \(ignoredLines == 1 ? "was" : "were") ignored, as the malloc-lab driver does"))
        }
        if missingSizes > 0 {
            warnings.append(TraceWarning(line: firstMissingSize, message: "\(missingSizes) allocation\(missingSizes == 1 ? " has" : "s have") no size; each reuses the previous line's size, as the malloc-lab driver's fscanf does"))
        }
        if idsOutside > 0 {
            warnings.append(TraceWarning(line: firstIDOutside.line, message: "\(idsOutside) op\(idsOutside == 1 ? " uses an id" : "s use ids") outside 0..<\(declaredIDs) declared by the header (first: \(firstIDOutside.id))"))
        }
    }
}

/// OSTEP malloc.py op lists (`-A +10,-0,+20`): `+N` allocates N bytes as ptr[k], where k counts
/// the allocations so far; `-k` frees ptr[k]. Ops are separated by commas or white space, over
/// any number of lines; `#` starts a comment.
final class OSTEPOpsReader: HeapLineReader, HeapTraceReader {
    var format: HeapTraceFormat { .ops }
    override var formatName: String { "OSTEP op list" }
    private var allocations: UInt64 = 0

    func nextBatch() throws(TraceError) -> UnsafeMutableBufferPointer<HeapOp> {
        try fill { (c: inout LineCursor) throws(LineError) in try self.parse(&c) }
    }

    private func parse(_ c: inout LineCursor) throws(LineError) {
        while true {
            while !c.atEnd && (c.current == UInt8(ascii: ",") || c.current == 0x20 || c.current == 0x09 || c.current == 0x0d) { c.i += 1 }
            if c.atEnd || c.current == UInt8(ascii: "#") { return }
            let sign = c.current
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else {
                throw LineError("expected an op, +SIZE or -INDEX, got '\(c.excerpt())'")
            }
            c.i += 1
            guard c.atEnd || c.current != UInt8(ascii: "-") else {
                throw LineError("negative number in '\(c.excerpt())': +SIZE takes a byte count, -INDEX an allocation's index")
            }
            guard let n = c.decimal() else {
                throw LineError("expected a number after '\(Character(Unicode.Scalar(sign)))', got '\(c.excerpt())'")
            }
            guard c.atEnd || c.current == UInt8(ascii: ",") || c.current == 0x20 || c.current == 0x09 || c.current == 0x0d || c.current == UInt8(ascii: "#") else {
                throw LineError("unexpected text after '\(Character(Unicode.Scalar(sign)))\(n)': '\(c.excerpt())'")
            }
            if sign == UInt8(ascii: "+") {
                emit(HeapOp(kind: .alloc, id: allocations, size: n, line: line))
                allocations += 1
            } else {
                emit(HeapOp(kind: .free, id: n, line: line))
            }
        }
    }
}
