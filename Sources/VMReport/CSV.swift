/// Comma-separated values (RFC 4180): a header row, then data rows; fields with a comma, quote or
/// line break are quoted, with quotes doubled.
public struct CSVTable: Sendable {
    public var header: [String]
    public private(set) var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "a row needs one field per column")
        rows.append(row)
    }

    public func render() -> String {
        var out = ""
        for row in [header] + rows {
            out += row.map(Self.escape).joined(separator: ",") + "\n"
        }
        return out
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
