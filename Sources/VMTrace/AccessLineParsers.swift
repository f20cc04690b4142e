import VMSim

/// Parses one line of a text access format, appending to a batch: page references
/// (`PageAccess`) for the paging engine, or byte-level records (`AddressAccess`) for translation.
protocol AccessLineParser {
    associatedtype Record
    /// The most accesses one line can produce.
    var maxAccessesPerLine: Int { get }
    /// Parses one line (no newline) and appends its accesses at `out[count...]`.
    func parse(_ cursor: inout LineCursor, into out: UnsafeMutablePointer<Record>, count: inout Int) throws(LineError)
    /// Whether the batch ends after the line just parsed (a recording's system call).
    var stopsBatch: Bool { get }
    /// Whether a last line without a newline that does not parse ends the input instead of
    /// failing it (a log cut short).
    var forgivesCutLastLine: Bool { get }
}

extension AccessLineParser {
    @inline(__always) var stopsBatch: Bool { false }
    @inline(__always) var forgivesCutLastLine: Bool { false }
}

/// One Lackey record's fields.
struct LackeyRecord {
    /// `I`, `L`, `S` or `M`.
    var kind: UInt8
    var address: UInt64
    var size: UInt64
}

/// Reads a Lackey line into its fields, or `nil` for a blank or `==PID==` line. Shared by the
/// page-level and the address-level parser, so both accept and reject exactly the same lines.
@inline(__always)
func parseLackeyLine(_ c: inout LineCursor) throws(LineError) -> LackeyRecord? {
    c.skipSpaces()
    if c.atEnd { return nil }
    let kindByte = c.current
    switch kindByte {
    case UInt8(ascii: "S") where c.hasPrefix("SYSCALL["), UInt8(ascii: "-") where c.hasPrefix("-->"):
        // --trace-syscalls=yes: a system call or the result of one (the recording replay reads them).
        return nil
    case UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "S"), UInt8(ascii: "M"): break
    case UInt8(ascii: "="):
        if c.i + 1 < c.end && c.base[c.i + 1] == UInt8(ascii: "=") { return nil }
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
    guard size <= LackeyParser.maxAccessSize else {
        throw LineError("access size \(size) is larger than any Lackey record (at most \(LackeyParser.maxAccessSize) bytes)")
    }
    let (_, overflow) = address.addingReportingOverflow(size == 0 ? 0 : size - 1)
    guard !overflow else {
        throw LineError("access [0x\(String(address, radix: 16)), +\(size)) runs past the top of the 64-bit address space")
    }
    return LackeyRecord(kind: kindByte, address: address, size: size)
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
        guard let r = try parseLackeyLine(&c) else { return }
        let kindByte = r.kind
        let kind: AccessKind = kindByte == UInt8(ascii: "I") ? .instruction : (kindByte == UInt8(ascii: "S") ? .store : .load)
        let address = r.address
        let lastByte = address &+ (r.size == 0 ? 0 : r.size &- 1)
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

/// Reads a plain line's page number, or `nil` for a blank or comment line.
@inline(__always)
func parsePlainLine(_ c: inout LineCursor) throws(LineError) -> UInt64? {
    if c.atEndOrComment() { return nil }
    guard let page = c.number() else {
        throw LineError("expected a page number (decimal or 0x-hex, below 2^64), got '\(c.excerpt())'")
    }
    guard c.atEndOrComment() else {
        throw LineError("expected one page number on the line, got '\(c.excerpt())'")
    }
    return page
}

/// One page number a line, decimal or `0x` hex; blank lines and `#` comments are skipped.

struct PlainParser: AccessLineParser {
    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError) {
        guard let page = try parsePlainLine(&c) else { return }
        out[count] = PageAccess(page: page)
        count &+= 1
    }
}

/// Reads a din line's label and address, or `nil` for a blank or comment line.
@inline(__always)
func parseDinLine(_ c: inout LineCursor) throws(LineError) -> (label: UInt8, address: UInt64)? {
    if c.atEndOrComment() { return nil }
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
    return (label, address)
}

/// Dinero din: `LABEL ADDRESS` with a hex address (an optional `0x` is accepted) and label 0 (data
/// read), 1 (data write) or 2 (instruction fetch); labels 3 (escape) and 4 (cache flush) are not
/// memory references and are skipped. Further fields on the line are ignored, as Dinero does.

struct DinParser: AccessLineParser {
    let shift: UInt64
    init(pageSize: PageSize) { shift = UInt64(pageSize.shift) }

    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<PageAccess>, count: inout Int) throws(LineError) {
        guard let (label, address) = try parseDinLine(&c) else { return }
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

// MARK: Address-level parsers (for translation: byte addresses, sizes, Lackey's M kept)

/// Lackey records as byte-level accesses: one record a line, `M` kept as `modify`.
struct LackeyAddressParser: AccessLineParser {
    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<AddressAccess>, count: inout Int) throws(LineError) {
        guard let r = try parseLackeyLine(&c) else { return }
        let kind: AddressAccess.Kind
        switch r.kind {
        case UInt8(ascii: "I"): kind = .instruction
        case UInt8(ascii: "S"): kind = .store
        case UInt8(ascii: "M"): kind = .modify
        default: kind = .load
        }
        out[count] = AddressAccess(address: r.address, size: UInt32(truncatingIfNeeded: r.size), kind: kind)
        count &+= 1
    }
}

/// Plain page numbers as accesses of one byte at the start of each page.
struct PlainAddressParser: AccessLineParser {
    let shift: UInt64
    init(pageSize: PageSize) { shift = UInt64(pageSize.shift) }
    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<AddressAccess>, count: inout Int) throws(LineError) {
        guard let page = try parsePlainLine(&c) else { return }
        guard page >> (64 - shift) == 0 else {
            throw LineError("page number \(page) times the page size does not fit a 64-bit address")
        }
        out[count] = AddressAccess(address: page << shift, size: 1, kind: .load)
        count &+= 1
    }
}

/// Dinero din addresses as one-byte accesses (din records carry no size).
struct DinAddressParser: AccessLineParser {
    var maxAccessesPerLine: Int { 1 }

    func parse(_ c: inout LineCursor, into out: UnsafeMutablePointer<AddressAccess>, count: inout Int) throws(LineError) {
        guard let (label, address) = try parseDinLine(&c) else { return }
        let kind: AddressAccess.Kind
        switch label {
        case 0: kind = .load
        case 1: kind = .store
        case 2: kind = .instruction
        default: return
        }
        out[count] = AddressAccess(address: address, size: 1, kind: kind)
        count &+= 1
    }
}
