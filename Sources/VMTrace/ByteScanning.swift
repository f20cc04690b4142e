import VMSim

// Byte-level scanning helpers for the text readers: no String is made for a line on the hot path.

/// Why a line did not parse; the reader adds the file and line number.
public struct LineError: Error, Hashable, Sendable {
    /// What was expected, and what was found.
    public var message: String
    /// An error with `message`.
    public init(_ message: String) { self.message = message }
}

/// A cursor over the bytes of one line.
struct LineCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var i: Int = 0

    init(_ base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.end = count
    }

    var atEnd: Bool { i >= end }
    var current: UInt8 { base[i] }

    mutating func skipSpaces() {
        while i < end && (base[i] == 0x20 || base[i] == 0x09 || base[i] == 0x0d) { i &+= 1 }
    }

    /// True when only spaces or a `#` comment remain.
    mutating func atEndOrComment() -> Bool {
        skipSpaces()
        return i >= end || base[i] == UInt8(ascii: "#")
    }

    /// Reads hex digits (no prefix); nil if there are none or the value overflows 64 bits.
    mutating func hex() -> UInt64? {
        var value: UInt64 = 0
        let start = i
        while i < end {
            let c = base[i]
            let d: UInt8
            if c &- 0x30 < 10 { d = c &- 0x30 }
            else if (c | 0x20) &- 0x61 < 6 { d = (c | 0x20) &- 0x61 &+ 10 }
            else { break }
            if value >> 60 != 0 { return nil }
            value = value << 4 | UInt64(d)
            i &+= 1
        }
        return i > start ? value : nil
    }

    /// Reads decimal digits; nil if there are none or the value overflows 64 bits.
    mutating func decimal() -> UInt64? {
        var value: UInt64 = 0
        let start = i
        while i < end {
            let d = base[i] &- 0x30
            if d >= 10 { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            value = a
            i &+= 1
        }
        return i > start ? value : nil
    }

    /// Reads a number written in decimal or with a `0x` prefix in hex.
    mutating func number() -> UInt64? {
        if i + 1 < end && base[i] == UInt8(ascii: "0") && (base[i + 1] | 0x20) == UInt8(ascii: "x") {
            i += 2
            return hex()
        }
        return decimal()
    }

    /// Whether the line continues with `s` at the cursor.
    func hasPrefix(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard end - i >= n else { return false }
        for k in 0..<n where base[i + k] != s.utf8Start[k] { return false }
        return true
    }

    /// The rest of the line as text, shortened, for error messages (cold path).
    func excerpt() -> String {
        // Without the CR of a CRLF line: printed inside the quotes, it would return the
        // terminal's cursor and the closing quote would overwrite the message's start.
        var length = end
        while length > 0 && base[length - 1] == 0x0d { length -= 1 }
        let n = min(length, 60)
        let text = String(decoding: UnsafeBufferPointer(start: base, count: n), as: UTF8.self)
        return n < length ? text + "..." : text
    }
}
