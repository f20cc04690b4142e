/// A Python `int` as the OSTEP tools read it from the command line: a sign and an arbitrary-precision
/// magnitude, parsed with the exact rules of Python's `int(text, base)` and printed as `str(n)`.
///
/// Only seeds need the full precision (`random.seed` takes any integer); every other value is used
/// through `bounded`, the range the simulators compute in without overflow.
///
///     PythonInt(parsing: " 1_000 ", base: 10)?.description   // "1000"
///     PythonInt(parsing: "0x1f", base: 16)?.description      // "31"
///     PythonInt(parsing: "1.5", base: 10)                    // nil: Python raises ValueError
public struct PythonInt: Hashable, Sendable, CustomStringConvertible {
    /// Whether the value is below zero (never true for zero).
    public private(set) var isNegative: Bool
    /// The absolute value, as 32-bit words, least significant first, without high zero words
    /// (empty for zero). This is the key `random.seed` feeds to MT19937.
    public private(set) var magnitude: [UInt32]

    /// Python's limit on decimal digits in `int(str)` and `str(int)` (`sys.get_int_max_str_digits()`).
    public static let maxStringDigits = 4300

    /// The magnitude beyond which the simulators do not compute: 2^60. Sums of a few such values
    /// and their products with 2^30 (size suffixes) stay inside `Int`.
    public static let boundedLimit = 1 << 60

    /// `value`, exactly.
    /// - Complexity: O(1).
    public init(_ value: Int) {
        isNegative = value < 0
        var m = value.magnitude
        magnitude = []
        while m != 0 {
            magnitude.append(UInt32(truncatingIfNeeded: m))
            m >>= 32
        }
    }

    init(negative: Bool, magnitude: [UInt32]) {
        var words = magnitude
        while words.last == 0 { words.removeLast() }
        self.magnitude = words
        isNegative = negative && !words.isEmpty
    }

    /// The value as an `Int` when it fits in 64 bits.
    public var exactInt: Int? {
        guard magnitude.count <= 2 else { return nil }
        var m: UInt64 = 0
        for (i, w) in magnitude.enumerated() { m |= UInt64(w) << (32 * UInt64(i)) }
        if isNegative {
            return m <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- m) : nil
        }
        return m <= UInt64(Int.max) ? Int(m) : nil
    }

    /// The value when its magnitude is at most `boundedLimit` (2^60), else `nil`.
    public var bounded: Int? {
        guard let v = exactInt, v.magnitude <= UInt(Self.boundedLimit) else { return nil }
        return v
    }

    /// The number of significant bits of the magnitude (`abs(n).bit_length()`).
    public var bitLength: Int {
        guard let top = magnitude.last else { return 0 }
        return 32 * (magnitude.count - 1) + (32 - top.leadingZeroBitCount)
    }

    /// `str(n)`. Python 3.11 refuses to print more than 4300 decimal digits (`ValueError`);
    /// `decimalString` returns `nil` there, `description` prints them anyway.
    /// - Complexity: O(words²).
    public var description: String {
        let digits = decimalDigits()
        return (isNegative ? "-" : "") + digits
    }

    /// `str(n)`, or `nil` where Python 3.11 raises `ValueError` (more than 4300 digits).
    /// - Complexity: O(words²).
    public var decimalString: String? {
        // 4300 digits need at most 14,285 bits; anything longer is certainly over the limit.
        if bitLength > 14_300 { return nil }
        let digits = decimalDigits()
        if digits.utf8.count > Self.maxStringDigits { return nil }
        return (isNegative ? "-" : "") + digits
    }

    func decimalDigits() -> String {
        if magnitude.isEmpty { return "0" }
        var words = magnitude
        var chunks: [UInt32] = []   // base 10^9, least significant first
        while !words.isEmpty {
            var remainder: UInt64 = 0
            for i in stride(from: words.count - 1, through: 0, by: -1) {
                let cur = remainder << 32 | UInt64(words[i])
                words[i] = UInt32(cur / 1_000_000_000)
                remainder = cur % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while words.last == 0 { words.removeLast() }
        }
        var text = String(chunks.last!)
        for chunk in chunks.dropLast().reversed() {
            let s = String(chunk)
            text += String(repeating: "0", count: 9 - s.utf8.count) + s
        }
        return text
    }

    /// Python's `int(text, base)` for `base` in 2...36, or `nil` where Python raises `ValueError`.
    ///
    /// As `PyLong_FromUnicodeObject` does: non-ASCII white space counts as a space and any Unicode
    /// decimal digit as its ASCII digit; then, as `PyLong_FromString`: optional ASCII white space,
    /// a sign, for bases 16/8/2 an optional `0x`/`0o`/`0b` prefix (which may be followed by one
    /// underscore), digits with single underscores between them, optional white space. More than
    /// 4300 digits in a base that is not a power of two is refused, as Python 3.11 does.
    /// - Complexity: O(length) for power-of-two bases, O(length²) otherwise.
    public init?(parsing text: String, base: Int) {
        precondition((2...36).contains(base))
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 127 {
                bytes.append(UInt8(v))
            } else if PythonText.isNonASCIISpace(scalar) {
                bytes.append(0x20)
            } else if let d = PythonText.decimalValue(scalar) {
                bytes.append(0x30 + UInt8(d))
            } else {
                return nil
            }
        }
        guard let value = Self.parseASCII(bytes, base: base) else { return nil }
        self = value
    }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D)
    }

    static func digitValue(_ b: UInt8) -> Int {
        switch b {
        case 0x30...0x39: Int(b - 0x30)
        case 0x61...0x7A: Int(b - 0x61) + 10
        case 0x41...0x5A: Int(b - 0x41) + 10
        default: 99
        }
    }

    static func parseASCII(_ s: [UInt8], base: Int) -> PythonInt? {
        var i = 0
        let n = s.count
        while i < n && isSpace(s[i]) { i += 1 }
        var negative = false
        if i < n && (s[i] == 0x2B || s[i] == 0x2D) {
            negative = s[i] == 0x2D
            i += 1
        }
        if i + 1 < n && s[i] == 0x30 {
            let p = s[i + 1] | 0x20
            if (base == 16 && p == 0x78) || (base == 8 && p == 0x6F) || (base == 2 && p == 0x62) {
                i += 2
                if i < n && s[i] == 0x5F { i += 1 }
            }
        }
        if i < n && s[i] == 0x5F { return nil }
        // Digits with single underscores between them.
        var digits: [UInt8] = []
        var previousUnderscore = false
        while i < n {
            let b = s[i]
            if b == 0x5F {
                if previousUnderscore { return nil }
                previousUnderscore = true
            } else if digitValue(b) < base {
                digits.append(UInt8(digitValue(b)))
                previousUnderscore = false
            } else {
                break
            }
            i += 1
        }
        if previousUnderscore || digits.isEmpty { return nil }
        while i < n && isSpace(s[i]) { i += 1 }
        if i != n { return nil }
        if base & (base - 1) != 0 && digits.count > maxStringDigits { return nil }

        var words: [UInt32] = []
        if base & (base - 1) == 0 {
            let bitsPerDigit = base.trailingZeroBitCount
            var acc: UInt64 = 0
            var accBits = 0
            for d in digits.reversed() {
                acc |= UInt64(d) << UInt64(accBits)
                accBits += bitsPerDigit
                if accBits >= 32 {
                    words.append(UInt32(truncatingIfNeeded: acc))
                    acc >>= 32
                    accBits -= 32
                }
            }
            if accBits > 0 { words.append(UInt32(truncatingIfNeeded: acc)) }
        } else {
            for d in digits {
                var carry = UInt64(d)
                for w in words.indices {
                    let cur = UInt64(words[w]) * UInt64(base) + carry
                    words[w] = UInt32(truncatingIfNeeded: cur)
                    carry = cur >> 32
                }
                if carry != 0 { words.append(UInt32(carry)) }
            }
        }
        return PythonInt(negative: negative, magnitude: words)
    }

    /// optparse's conversion of an `int` option (`_parse_num(val, int)`): `0x`/`0X` means base 16,
    /// `0b`/`0B` base 2 (the prefix removed, an empty rest read as 0), a leading `0` base 8, anything
    /// else base 10. `nil` where optparse reports "invalid integer value".
    /// - Complexity: as `init(parsing:base:)`.
    public init?(optparseValue text: String) {
        let scalars = Array(text.unicodeScalars)
        let lower2 = String(String.UnicodeScalarView(scalars.prefix(2))).lowercased()
        if lower2 == "0x" {
            self.init(parsing: text, base: 16)
        } else if lower2 == "0b" {
            let rest = String(String.UnicodeScalarView(scalars.dropFirst(2)))
            self.init(parsing: rest.isEmpty ? "0" : rest, base: 2)
        } else if scalars.first == "0" {
            self.init(parsing: text, base: 8)
        } else {
            self.init(parsing: text, base: 10)
        }
    }
}

/// Character classes of Python 3.11's `str`, for the parts the tools need.
enum PythonText {
    /// `str.isspace()` for a scalar at or above U+007F (Python's `_PyUnicode_IsWhitespace`).
    static func isNonASCIISpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The value of a Unicode decimal digit (general category Nd), as `unicodedata.decimal`.
    static func decimalValue(_ s: Unicode.Scalar) -> Int? {
        let p = s.properties
        guard p.numericType == .decimal, let v = p.numericValue else { return nil }
        return Int(v)
    }

    /// `repr(s)` of a Python `str`: single quotes unless the text has a `'` and no `"`; backslash
    /// escapes for the quote, `\\`, `\t`, `\n`, `\r` and for characters that are not printable.
    static func repr(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let quote: Unicode.Scalar = scalars.contains("'") && !scalars.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for s in scalars {
            switch s {
            case quote, "\\": out += "\\" + String(s)
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                if isPrintable(s) {
                    out.unicodeScalars.append(s)
                } else if s.value < 0x100 {
                    out += "\\x" + hex(s.value, width: 2)
                } else if s.value < 0x10000 {
                    out += "\\u" + hex(s.value, width: 4)
                } else {
                    out += "\\U" + hex(s.value, width: 8)
                }
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.utf8.count)) + s
    }

    /// `str.isprintable()` for one character: not in categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs,
    /// except the space itself.
    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s == " " { return true }
        if s.value < 0x7F { return s.value >= 0x20 }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
