/// Python's number formatting, as the OSTEP scripts use it: the `%` operator's `%d`, `%x` (with a
/// width and the `0` flag), `%.Nf`, and `str()`/`repr()` of a float.

/// `'%<0?><width>d' % value` (radix 10) or `'%<0?><width>x' % value` (radix 16): the sign, then
/// the digits of the magnitude; padded on the left to `width` with spaces, or with zeros after the
/// sign when `zeroPad`.
///
///     pyFormat(-5, width: 8, zeroPad: true, radix: 16)   // "-0000005", as '%08x' % -5
///
/// - Complexity: O(width + digits).
public func pyFormat(_ value: Int, width: Int = 0, zeroPad: Bool = false, radix: Int = 10) -> String {
    var bytes: [UInt8] = []
    withPyFormat(value, width: width, zeroPad: zeroPad, radix: radix) { bytes += $0 }
    return String(decoding: bytes, as: UTF8.self)
}

/// The decimal digits of 0..<10000: the ASCII digits in bytes 0...3 (the first digit in the low
/// byte), the digit count in bits 32 and up.
@usableFromInline
let smallDecimals: [UInt64] = (0..<10_000).map { n in
    let text = Array(String(n).utf8)
    var entry = UInt64(text.count) << 32
    for (i, d) in text.enumerated() { entry |= UInt64(d) << (8 * UInt64(i)) }
    return entry
}

/// 0..<10000 as four ASCII digits with leading zeros, the first in the low byte.
@usableFromInline
let fourDigits: [UInt32] = (0..<10_000).map { n in
    let text = Array(String(10_000 + n).utf8.dropFirst())
    var entry: UInt32 = 0
    for (i, d) in text.enumerated() { entry |= UInt32(d) << (8 * UInt32(i)) }
    return entry
}

/// Formats `value` as `pyFormat` does and passes the bytes to `body`, without allocating.
@inlinable @inline(__always)
func withPyFormat(_ value: Int, width: Int, zeroPad: Bool, radix: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
    var m = value.magnitude
    let r = UInt(radix)
    // At most 64 binary digits and a sign, written backwards from the end of a 96-byte scratch.
    var scratch: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &scratch) { buf in
        var start = 96
        if r == 10 && m < 10_000 {
            // Small numbers (pages, sizes, counts) come from a table of their digits.
            let entry = smallDecimals[Int(truncatingIfNeeded: m)]
            let length = Int(truncatingIfNeeded: entry >> 32)
            start &-= length
            for i in 0..<length { buf[start &+ i] = UInt8(truncatingIfNeeded: entry >> (8 * UInt64(i))) }
        } else if r == 16 {
            repeat {
                let d = UInt8(truncatingIfNeeded: m & 15)
                start &-= 1
                buf[start] = d < 10 ? 0x30 &+ d : 0x57 &+ d
                m >>= 4
            } while m != 0
        } else if r == 10 {
            // A constant divisor: the compiler divides by multiplying.
            repeat {
                let (q, d) = m.quotientAndRemainder(dividingBy: 10)
                start &-= 1
                buf[start] = 0x30 &+ UInt8(truncatingIfNeeded: d)
                m = q
            } while m != 0
        } else {
            repeat {
                let d = UInt8(truncatingIfNeeded: m % r)
                start &-= 1
                buf[start] = d < 10 ? 0x30 &+ d : 0x57 &+ d
                m /= r
            } while m != 0
        }
        let digits = 96 - start
        let signWidth = value < 0 ? 1 : 0
        let pad = max(0, width - digits - signWidth)
        if pad > 96 - 66 {
            // A wide field (never in the scripts): build it in an array.
            var wide: [UInt8] = []
            if !zeroPad { wide += repeatElement(0x20, count: pad) }
            if value < 0 { wide.append(0x2D) }
            if zeroPad { wide += repeatElement(0x30, count: pad) }
            wide += UnsafeRawBufferPointer(rebasing: buf[start...])
            wide.withUnsafeBytes(body)
            return
        }
        if zeroPad {
            for _ in 0..<pad { start &-= 1; buf[start] = 0x30 }
            if value < 0 { start &-= 1; buf[start] = 0x2D }
        } else {
            if value < 0 { start &-= 1; buf[start] = 0x2D }
            for _ in 0..<pad { start &-= 1; buf[start] = 0x20 }
        }
        body(UnsafeRawBufferPointer(rebasing: buf[start...]))
    }
}

/// `'%.<precision>f' % value`: fixed notation, correctly rounded from the exact binary value with
/// ties to even (as CPython's `PyOS_double_to_string`); `inf`, `-inf`, `nan`; a negative zero
/// keeps its sign.
///
///     pyFixed(2.675, precision: 2)   // "2.67": the double just below 2.675
///
/// - Complexity: O((exponent + precision)²) in the worst case; O(1) for everyday values.
public func pyFixed(_ value: Double, precision: Int) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    let sign = value.sign == .minus ? "-" : ""
    let bits = value.bitPattern
    let expBits = Int((bits >> 52) & 0x7FF)
    let fraction = bits & ((1 << 52) - 1)
    let mantissa = expBits == 0 ? fraction : fraction | (1 << 52)
    let exponent = expBits == 0 ? -1074 : expBits - 1075
    var words = BigWords(mantissa)
    for _ in 0..<precision { words.multiply(by: 10) }
    if exponent >= 0 {
        words.shiftLeft(exponent)
    } else {
        let s = -exponent
        let halfBit = words.bit(s - 1)
        let below = words.anyBitSet(below: s - 1)
        words.shiftRight(s)
        if halfBit && (below || words.bit(0)) { words.add(1) }
    }
    var digits = PythonInt(negative: false, magnitude: words.words).decimalDigits()
    guard precision > 0 else { return sign + digits }
    if digits.utf8.count < precision + 1 {
        digits = String(repeating: "0", count: precision + 1 - digits.utf8.count) + digits
    }
    let split = digits.index(digits.endIndex, offsetBy: -precision)
    return sign + digits[..<split] + "." + digits[split...]
}

/// `repr(value)` (and `str(value)`) of a Python float: the shortest digits that read back as the
/// same double, in fixed notation when the decimal exponent is in -4..<16 (`1e-05`, `0.0001`,
/// `1e+16`, `1234567890123456.0`), with `.0` added to integral values.
/// - Complexity: O(1).
public func pyFloatRepr(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value < 0 ? "-inf" : "inf" }
    let sign = value.sign == .minus ? "-" : ""
    // Swift's description gives the same shortest round-trip digits; only the layout differs.
    let text = value.magnitude.description
    var mantissa = Substring(text)
    var exp10 = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exp10 = Int(text[text.index(after: e)...].replacingPlus()) ?? 0
    }
    var digits = ""
    var decpt = 0
    if let dot = mantissa.firstIndex(of: ".") {
        let intPart = mantissa[..<dot]
        digits = String(intPart) + mantissa[mantissa.index(after: dot)...]
        decpt = intPart.count
    } else {
        digits = String(mantissa)
        decpt = mantissa.count
    }
    decpt += exp10
    // Normalise to 0.DIGITS x 10^decpt with no leading or trailing zeros.
    while digits.first == "0" && digits.count > 1 { digits.removeFirst(); decpt -= 1 }
    while digits.last == "0" && digits.count > 1 { digits.removeLast() }
    if digits == "0" { return sign + "0.0" }
    let n = digits.count
    if decpt <= -4 || decpt > 16 {
        let e = decpt - 1
        var out = String(digits.first!)
        if n > 1 { out += "." + digits.dropFirst() }
        let eText = String(e.magnitude)
        out += "e" + (e < 0 ? "-" : "+") + (eText.count < 2 ? "0" : "") + eText
        return sign + out
    }
    if decpt <= 0 { return sign + "0." + String(repeating: "0", count: -decpt) + digits }
    if decpt >= n { return sign + digits + String(repeating: "0", count: decpt - n) + ".0" }
    let split = digits.index(digits.startIndex, offsetBy: decpt)
    return sign + digits[..<split] + "." + digits[split...]
}

extension Substring {
    fileprivate func replacingPlus() -> Substring { first == "+" ? dropFirst() : self }
}

/// A non-negative integer of any size as 32-bit words (least significant first), with the few
/// operations exact float formatting needs.
struct BigWords {
    var words: [UInt32]

    init(_ value: UInt64) {
        words = [UInt32(truncatingIfNeeded: value), UInt32(truncatingIfNeeded: value >> 32)]
        trim()
    }

    mutating func trim() { while words.last == 0 { words.removeLast() } }

    mutating func multiply(by k: UInt32) {
        var carry: UInt64 = 0
        for i in words.indices {
            let cur = UInt64(words[i]) * UInt64(k) + carry
            words[i] = UInt32(truncatingIfNeeded: cur)
            carry = cur >> 32
        }
        if carry != 0 { words.append(UInt32(carry)) }
    }

    mutating func add(_ k: UInt32) {
        var carry = UInt64(k)
        var i = 0
        while carry != 0 {
            if i == words.count { words.append(0) }
            let cur = UInt64(words[i]) + carry
            words[i] = UInt32(truncatingIfNeeded: cur)
            carry = cur >> 32
            i += 1
        }
    }

    func bit(_ n: Int) -> Bool {
        guard n >= 0, n / 32 < words.count else { return false }
        return (words[n / 32] >> UInt32(n % 32)) & 1 == 1
    }

    func anyBitSet(below n: Int) -> Bool {
        guard n > 0 else { return false }
        let full = n / 32
        for i in 0..<min(full, words.count) where words[i] != 0 { return true }
        let rest = n % 32
        if rest > 0 && full < words.count && words[full] & ((1 << UInt32(rest)) - 1) != 0 { return true }
        return false
    }

    mutating func shiftRight(_ n: Int) {
        let wordShift = n / 32
        let bitShift = UInt32(n % 32)
        guard wordShift < words.count else { words = []; return }
        var result = [UInt32](repeating: 0, count: words.count - wordShift)
        for i in result.indices {
            let lo = words[i + wordShift] >> bitShift
            let hi: UInt32 = bitShift == 0 || i + wordShift + 1 >= words.count
                ? 0 : words[i + wordShift + 1] << (32 - bitShift)
            result[i] = lo | hi
        }
        words = result
        trim()
    }

    mutating func shiftLeft(_ n: Int) {
        guard !words.isEmpty else { return }
        let wordShift = n / 32
        let bitShift = UInt32(n % 32)
        var result = [UInt32](repeating: 0, count: words.count + wordShift + 1)
        for i in words.indices {
            result[i + wordShift] |= words[i] << bitShift
            if bitShift != 0 { result[i + wordShift + 1] |= words[i] >> (32 - bitShift) }
        }
        words = result
        trim()
    }
}
