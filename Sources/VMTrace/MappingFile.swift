import VMSim

/// One mapping as written on the command line (`--map VA=PA[:FLAGS][:SIZE]`) or on a line of a
/// mapping file: virtual address, physical address, flags (`PageFlags` letters, default `rwu`) and
/// page size (default: the format's base page).
///
///     try MappingSpec(parsing: "0x7fff_f000=0x1234_5000:rwu")
///     try MappingSpec(parsing: "0x4000_0000=0x8000_0000:rw:2M")
public struct MappingSpec: Hashable, Sendable {
    /// The virtual address of the page.
    public var virtual: VirtualAddress
    /// The physical address it maps to.
    public var physical: PhysicalAddress
    /// The flags (default `rwu`).
    public var flags: PageFlags
    /// `nil` for the format's base page.
    public var size: PageSize?
    /// The text it was parsed from.
    public var text: String

    /// A mapping with these fields.
    public init(virtual: VirtualAddress, physical: PhysicalAddress, flags: PageFlags, size: PageSize?, text: String) {
        self.virtual = virtual
        self.physical = physical
        self.flags = flags
        self.size = size
        self.text = text
    }

    /// Parses `VA=PA[:FLAGS][:SIZE]`, or the same fields separated by spaces (`VA PA [FLAGS] [SIZE]`).
    /// Addresses are `0x` hex or decimal, `_` allowed between digits; FLAGS and SIZE may come in
    /// either order (a size starts with a digit).
    /// - Throws: `LineError` saying which field is wrong and what was expected.
    /// - Complexity: O(n) in the length of `text`.
    public init(parsing text: String) throws(LineError) {
        let trimmed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        var fields: [Substring]
        if let eq = trimmed.firstIndex(of: "=") {
            let rest = trimmed[trimmed.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false)
            fields = [trimmed[..<eq]] + rest
        } else {
            fields = trimmed.split(separator: " ")
        }
        fields = fields.map { Substring($0.filter { $0 != " " }) }
        guard fields.count >= 2, fields.count <= 4 else {
            throw LineError("expected VA=PA[:FLAGS][:SIZE] (e.g. 0x7fff0000=0x1234000:rwu or 0x40000000=0x80000000:rw:2M), got '\(text)'")
        }
        guard let va = parseAddress(fields[0]) else {
            throw LineError("'\(fields[0])' is not a virtual address (0x-hex or decimal, at most 64 bits) in '\(text)'")
        }
        guard let pa = parseAddress(fields[1]) else {
            throw LineError("'\(fields[1])' is not a physical address (0x-hex or decimal, at most 64 bits) in '\(text)'")
        }
        var flags: PageFlags = .userData
        var size: PageSize?
        var sawFlags = false
        for f in fields.dropFirst(2) {
            if let first = f.first, first.isNumber {
                guard size == nil else { throw LineError("two page sizes in '\(text)'") }
                guard let s = PageSize(parsing: String(f)) else {
                    throw LineError("'\(f)' is not a page size (a power of two such as 4K, 2M or 1G) in '\(text)'")
                }
                size = s
            } else {
                guard !sawFlags else { throw LineError("two flag fields in '\(text)'") }
                sawFlags = true
                do { flags = try PageFlags(parsing: String(f)) } catch { throw LineError(error.message) }
            }
        }
        self.init(virtual: VirtualAddress(va), physical: PhysicalAddress(pa), flags: flags, size: size, text: text)
    }
}

/// Parses an address: `0x` hex or decimal, with `_` allowed between digits; `nil` when it is
/// not a number or does not fit 64 bits.
/// - Complexity: O(n) in the length of `text`.
public func parseAddress<S: StringProtocol>(_ text: S) -> UInt64? {
    var s = Substring(text.lowercased()).filter { $0 != "_" }
    guard !s.isEmpty else { return nil }
    if s.hasPrefix("0x") {
        s = String(s.dropFirst(2))
        return s.isEmpty ? nil : UInt64(s, radix: 16)
    }
    return UInt64(s, radix: 10)
}

/// Mapping files for `vmsim translate --mappings FILE`: one `MappingSpec` a line, `#` comments and
/// blank lines skipped.
public enum MappingFile {
    /// The mappings of `path`, each with its 1-based line number.
    /// - Throws: `TraceError` as `FILE:LINE: message` for a malformed line, or an unreadable file.
    /// - Complexity: O(size of the file).
    public static func read(_ path: String) throws(TraceError) -> [(line: Int, spec: MappingSpec)] {
        let stream = try ByteStream.open(path)
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = try stream.read(into: buffer)
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            if bytes.count > 64 << 20 {
                throw TraceError(file: stream.name, message: "a mapping file larger than 64 MiB is not a mapping file")
            }
        }
        var out: [(Int, MappingSpec)] = []
        for (i, raw) in bytes.split(separator: 0x0a, omittingEmptySubsequences: false).enumerated() {
            var line = String(decoding: raw, as: UTF8.self)
            // A CRLF file's CR is not part of the spec (nor of its text, quoted in messages).
            while line.last == "\r" { line.removeLast() }
            if let hash = line.firstIndex(of: "#") { line = String(line[..<hash]) }
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            do {
                out.append((i + 1, try MappingSpec(parsing: line)))
            } catch {
                throw TraceError(file: stream.name, location: .line(i + 1), message: error.message)
            }
        }
        return out
    }
}
