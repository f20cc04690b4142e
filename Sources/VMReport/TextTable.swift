/// A plain-text table with aligned columns, for terminal output.
///
///     var t = TextTable(columns: [.init("policy"), .init("misses", alignment: .right)])
///     t.append(["lru", "12"])
///     print(t.render())
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public var title: String
        public var alignment: Alignment
        public init(_ title: String, alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    public var columns: [Column]
    public private(set) var rows: [[String]] = []

    public init(columns: [Column]) { self.columns = columns }

    /// Adds a row; it must have one cell per column.
    public mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a row needs one cell per column")
        rows.append(row)
    }

    /// The table: a header line, a rule, then the rows; columns separated by two spaces, no trailing
    /// spaces, lines ending in a newline.
    public func render() -> String {
        var widths = columns.map { $0.title.count }
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                parts.append(columns[i].alignment == .right ? pad + cell : cell + pad)
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        var out = line(columns.map(\.title))
        out += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { out += line(row) }
        return out
    }
}

/// Fixed-point formatting without Foundation: `formatFixed(0.123456, digits: 4)` is `"0.1235"`.
public func formatFixed(_ value: Double, digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let negative = value < 0
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9.0e18 else { return "\(value)" }
    let n = UInt64(scaled)
    let unit = UInt64(scale)
    var text = String(n / unit)
    if digits > 0 {
        let frac = String(n % unit)
        text += "." + String(repeating: "0", count: digits - frac.count) + frac
    }
    return negative && n != 0 ? "-" + text : text
}

/// An integer with thousands separators: `groupThousands(1234567)` is `"1,234,567"`.
public func groupThousands<T: BinaryInteger>(_ value: T) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return value < 0 ? "-" + out : out
}
