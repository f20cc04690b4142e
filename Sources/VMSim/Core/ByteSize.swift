/// Parsing and printing of byte sizes such as `4096`, `4K`, `2M`, `1G`.
///
/// Suffixes are binary (K = 1024, M = 1024², G = 1024³, T = 1024⁴), case-insensitive, and may be
/// followed by an optional `B` or `iB` (`4KB`, `4KiB`). A `0x` prefix reads a plain hex byte count.
public enum ByteSize {
    /// Parses a size string into a byte count.
    ///
    ///     ByteSize.parse("4K")   // 4096
    ///     ByteSize.parse("2M")   // 2_097_152
    ///     ByteSize.parse("12")   // 12
    ///
    /// Returns `nil` for anything that is not a non-negative size that fits in 64 bits.
    /// - Complexity: O(n) in the length of the string.
    public static func parse(_ text: String) -> UInt64? {
        var s = Substring(text.lowercased())
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        if s.hasPrefix("0x") {
            return UInt64(s.dropFirst(2), radix: 16)
        }
        if s.hasSuffix("ib") { s = s.dropLast(2) } else if s.hasSuffix("b") { s = s.dropLast() }
        var multiplier: UInt64 = 1
        if let unit = s.last, let shift = unitShift(unit) {
            multiplier = 1 << shift
            s = s.dropLast()
        }
        guard let value = UInt64(s, radix: 10) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    private static func unitShift(_ c: Character) -> UInt64? {
        switch c {
        case "k": return 10
        case "m": return 20
        case "g": return 30
        case "t": return 40
        default: return nil
        }
    }

    /// Formats a byte count with the largest binary unit that divides it exactly: `4K`, `2M`, `1536`.
    /// - Complexity: O(1).
    public static func format(_ bytes: UInt64) -> String {
        guard bytes > 0 else { return "0" }
        for (shift, unit) in [(40, "T"), (30, "G"), (20, "M"), (10, "K")] where bytes % (1 << UInt64(shift)) == 0 {
            return "\(bytes >> UInt64(shift))\(unit)"
        }
        return "\(bytes)"
    }
}
