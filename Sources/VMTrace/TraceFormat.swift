import VMSim

/// The memory-access trace formats VMSim reads.
public enum TraceFormat: String, CaseIterable, Sendable {
    /// Valgrind `--tool=lackey --trace-mem=yes` output.
    case lackey
    /// One page number a line (decimal or 0x-hex).
    case plain
    /// libCacheSim's oracleGeneral binary records.
    case oracleGeneral = "oracle-general"
    /// Dinero `LABEL HEXADDR` lines.
    case din

    /// A one-line description for `--help`.
    public var summary: String {
        switch self {
        case .lackey: "Valgrind Lackey (--trace-mem=yes): I/L/S/M records, ==PID== lines skipped"
        case .plain: "one page number a line, decimal or 0x-hex; # comments"
        case .oracleGeneral: "libCacheSim oracleGeneral, 24-byte binary records; object id = page"
        case .din: "Dinero din: LABEL HEXADDR (0 read, 1 write, 2 fetch; 3, 4 skipped)"
        }
    }

    /// Whether addresses are bytes (turned into pages with the page size) or already page ids.
    public var carriesByteAddresses: Bool {
        switch self {
        case .lackey, .din: true
        case .plain, .oracleGeneral: false
        }
    }

    /// The format suggested by a file name (after any `.gz`/`.zst`), if it is a known one.
    static func fromName(_ path: String) -> TraceFormat? {
        let name = Compression.strippedName(path).lowercased()
        if name.hasSuffix(".oraclegeneral") || name.hasSuffix(".oraclegeneral.bin") { return .oracleGeneral }
        if name.hasSuffix(".lackey") { return .lackey }
        if name.hasSuffix(".din") { return .din }
        return nil
    }

    /// The format of a trace from its first bytes, or `nil` when they fit none.
    ///
    /// Binary data (a NUL or other control byte) is oracleGeneral. Otherwise the first lines that
    /// are not blank or comments decide: `==PID==` or an `I`/`L`/`S`/`M` record is Lackey, a digit
    /// then a hex address is din, a single number is plain.
    static func detect(_ prefix: UnsafeRawBufferPointer) -> TraceFormat? {
        if prefix.isEmpty { return nil }
        for b in prefix where b < 0x09 || (b > 0x0d && b < 0x20) { return .oracleGeneral }
        var lineStart = 0
        var examined = 0
        while lineStart < prefix.count && examined < 32 {
            var lineEnd = lineStart
            while lineEnd < prefix.count && prefix[lineEnd] != 0x0a { lineEnd += 1 }
            let line = UnsafeRawBufferPointer(rebasing: prefix[lineStart..<lineEnd])
            lineStart = lineEnd + 1
            let fields = Fields(line)
            guard let first = fields.first else { continue }
            if first.first == UInt8(ascii: "#") { continue }
            examined += 1
            if first.starts(with: "==".utf8) { return .lackey }
            if first.count == 1 && "ILSM".utf8.contains(first[0]) && fields.count == 2 { return .lackey }
            if first.count == 1 && (UInt8(ascii: "0")...UInt8(ascii: "4")).contains(first[0]) && fields.count >= 2 {
                return .din
            }
            if fields.count == 1 || (fields.count > 1 && fields[1].first == UInt8(ascii: "#")) { return .plain }
            return nil
        }
        return nil
    }
}

/// The whitespace-separated fields of one line (for format detection only; not the hot path).
struct Fields {
    var items: [[UInt8]] = []
    init(_ line: UnsafeRawBufferPointer) {
        var current: [UInt8] = []
        for b in line {
            if b == 0x20 || b == 0x09 || b == 0x0d {
                if !current.isEmpty { items.append(current); current = [] }
            } else {
                current.append(b)
            }
        }
        if !current.isEmpty { items.append(current) }
    }
    var first: [UInt8]? { items.first }
    var count: Int { items.count }
    subscript(i: Int) -> [UInt8] { items[i] }
}
