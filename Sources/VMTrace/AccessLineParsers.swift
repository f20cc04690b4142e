import VMSim

/// Parses one line of a text access format, appending to a batch.
protocol AccessLineParser {
    /// The most accesses one line can produce.
    var maxAccessesPerLine: Int { get }
    /// Parses one line (no newline) and appends its accesses at `out[count...]`.
    func parse(_ cursor: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError)
}

/// Valgrind Lackey: `I  ADDR,SIZE`, ` L ADDR,SIZE`, ` S ADDR,SIZE`, ` M ADDR,SIZE`; `==PID==` lines
/// and blank lines are skipped. An access touches every page that [ADDR, ADDR+SIZE) overlaps;
/// M (modify) is a load of those pages followed by a store to them.

struct LackeyParser: AccessLineParser {
    /// Lackey never reports a single access larger than this (the largest is an XSAVE area).
    static let maxAccessSize: UInt64 = 1 << 16
    let shift: UInt64

    init(pageSize: PageSize) { shift = UInt64(pageSize.shift) }

    var maxAccessesPerLine: Int { 2 * Int(Self.maxAccessSize >> shift + 2) }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError) {
        c.skipSpaces()
        if c.atEnd { return }
        let kindByte = c.current
        let kind: AccessKind
        switch kindByte {
        case UInt8(ascii: "I"): kind = .instruction
        case UInt8(ascii: "L"): kind = .load
        case UInt8(ascii: "S"): kind = .store
        case UInt8(ascii: "M"): kind = .load
        case UInt8(ascii: "="):
            if c.i + 1 < c.end && c.base[c.i + 1] == UInt8(ascii: "=") { return }
            throw LineError("expected a Lackey record (I, L, S or M, then ADDR,SIZE) or a ==PID== line, got '\(c.excerpt())'")
        default:
            throw LineError("expected a Lackey record (I, L, S or M, then ADDR,SIZE) or a ==PID== line, got '\(c.excerpt())'")
        }
        c.i &+= 1
        let spaceStart = c.i
        c.skipSpaces()
        guard c.i > spaceStart, let address = c.hex() else {
            throw LineError("expected a hex address of at most 64 bits after '\(Character(Unicode.Scalar(kindByte)))', got '\(c.excerpt())'")
        }
        guard !c.atEnd && c.current == UInt8(ascii: ",") else {
            throw LineError("expected ',SIZE' after the address, got '\(c.excerpt())'")
        }
        c.i &+= 1
        guard let size = c.decimal() else {
            throw LineError("expected a decimal size after the comma, got '\(c.excerpt())'")
        }
        c.skipSpaces()
        guard c.atEnd else {
            throw LineError("unexpected text after the size: '\(c.excerpt())'")
        }
        guard size <= Self.maxAccessSize else {
            throw LineError("access size \(size) is larger than any Lackey record (at most \(Self.maxAccessSize) bytes)")
        }
        let (lastByte, overflow) = address.addingReportingOverflow(size == 0 ? 0 : size - 1)
        guard !overflow else {
            throw LineError("access [0x\(String(address, radix: 16)), +\(size)) runs past the top of the 64-bit address space")
        }
        let first = address >> shift, last = lastByte >> shift
        var page = first
        while true {
            out[count] = PageAccess(page: page, kind: kind)
            count &+= 1
            if page == last { break }
            page &+= 1
        }
        if kindByte == UInt8(ascii: "M") {
            page = first
            while true {
                out[count] = PageAccess(page: page, kind: .store)
                count &+= 1
                if page == last { break }
                page &+= 1
            }
        }
    }
}

/// One page number a line, decimal or `0x` hex; blank lines and `#` comments are skipped.

struct PlainParser: AccessLineParser {
    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError) {
        if c.atEndOrComment() { return }
        guard let page = c.number() else {
            throw LineError("expected a page number (decimal or 0x-hex, below 2^64), got '\(c.excerpt())'")
        }
        guard c.atEndOrComment() else {
            throw LineError("expected one page number on the line, got '\(c.excerpt())'")
        }
        out[count] = PageAccess(page: page)
        count &+= 1
    }
}

/// Dinero din: `LABEL ADDRESS` with a hex address (an optional `0x` is accepted) and label 0 (data
/// read), 1 (data write) or 2 (instruction fetch); labels 3 (escape) and 4 (cache flush) are not
/// memory references and are skipped. Further fields on the line are ignored, as Dinero does.

struct DinParser: AccessLineParser {
    let shift: UInt64
    init(pageSize: PageSize) { shift = UInt64(pageSize.shift) }

    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError) {
        if c.atEndOrComment() { return }
        let label = c.current &- 0x30
        guard label <= 4, c.i + 1 < c.end, c.base[c.i + 1] == 0x20 || c.base[c.i + 1] == 0x09 else {
            throw LineError("expected 'LABEL ADDRESS' with LABEL 0-4, got '\(c.excerpt())'")
        }
        c.i &+= 1
        c.skipSpaces()
        if c.i + 1 < c.end && c.base[c.i] == UInt8(ascii: "0") && (c.base[c.i + 1] | 0x20) == UInt8(ascii: "x") {
            c.i &+= 2
        }
        guard let address = c.hex() else {
            throw LineError("expected a hex address (below 2^64) after the label, got '\(c.excerpt())'")
        }
        guard c.atEnd || c.current == 0x20 || c.current == 0x09 || c.current == 0x0d else {
            throw LineError("expected a hex address after the label, got '\(c.excerpt())'")
        }
        let kind: AccessKind
        switch label {
        case 0: kind = .load
        case 1: kind = .store
        case 2: kind = .instruction
        default: return
        }
        out[count] = PageAccess(page: address >> shift, kind: kind)
        count &+= 1
    }
}
