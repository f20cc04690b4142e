import VMSim

/// The `vmsim buddy` script language: one command a line, `#` starts a comment.
///
///     memory 256M                       # one Normal zone of that size; or `zone DMA 16M` lines
///     cpus 2
///     alloc a 3 type=unmovable zone=Normal cpu=1
///     free a
///     kmalloc k1 100
///     kfree k1
///     random 10000 seed=7 max-order=4
///     show buddyinfo
///
/// Parsing checks each line on its own; `BuddyScriptRunner` checks what depends on the state
/// (names, the configured maximum order and zones).
public enum BuddyScript {
    /// What `show` prints.
    public enum ShowTarget: String, CaseIterable, Sendable {
        /// The kernel files `show` can print, and VMSim's counters (`stats`).
        case buddyinfo, pagetypeinfo, zoneinfo, extfrag, unusable, slabinfo, stats
    }

    /// One command.
    public enum Command: Hashable, Sendable {
        /// `memory SIZE`: one Normal zone.
        case memory(bytes: UInt64)
        /// `zone NAME SIZE`.
        case zone(ZoneType, bytes: UInt64)
        /// `cpus N`.
        case cpus(Int)
        /// `pcp on|off`.
        case pcp(Bool)
        /// `max-order N`.
        case maxOrder(Int)
        /// `min_free_kbytes N`.
        case minFreeKbytes(Int)
        /// `watermark_scale_factor N`.
        case watermarkScaleFactor(Int)
        /// `alloc NAME ORDER [type=] [zone=] [cpu=]`.
        case alloc(name: String, order: Int, type: MigrateType, zone: ZoneType?, cpu: Int)
        /// `free NAME [cpu=]`.
        case free(name: String, cpu: Int)
        /// `kmalloc NAME SIZE [cpu=]`.
        case kmalloc(name: String, bytes: UInt64, cpu: Int)
        /// `kfree NAME [cpu=]`, or `kmem_cache_free NAME`.
        case kfree(name: String, cpu: Int)
        /// `kmem_cache_create CACHE SIZE [align=] [reclaimable]`.
        case cacheCreate(name: String, bytes: UInt64, align: Int, reclaimable: Bool)
        /// `kmem_cache_alloc NAME CACHE [cpu=]`.
        case cacheAlloc(name: String, cache: String, cpu: Int)
        /// `kmem_cache_shrink [CACHE]`.
        case cacheShrink(cache: String?)
        /// `drain`: every per-CPU list back to the buddy lists.
        case drain
        /// `random COUNT [seed=] [max-order=]`.
        case random(count: Int, seed: UInt64, maxOrder: Int?)
        /// `show TARGET`.
        case show(ShowTarget)
        /// `check`: run the invariant checker.
        case check
    }

    /// A command and the line it came from.
    public struct Line: Hashable, Sendable {
        /// The 1-based line number.
        public var number: Int
        /// The command on it.
        public var command: Command
    }

    /// The commands and their one-line help, for error messages and `--help`.
    public static let summary = """
        memory SIZE | zone DMA|DMA32|Normal SIZE | cpus N | pcp on|off | max-order N
        min_free_kbytes N | watermark_scale_factor N
        alloc NAME ORDER [type=unmovable|movable|reclaimable] [zone=DMA|DMA32|Normal] [cpu=N] | free NAME [cpu=N]
        kmalloc NAME SIZE [cpu=N] | kfree NAME [cpu=N]
        kmem_cache_create CACHE SIZE [align=N] [reclaimable] | kmem_cache_alloc NAME CACHE [cpu=N]
        kmem_cache_free NAME [cpu=N] | kmem_cache_shrink [CACHE] | drain
        random COUNT [seed=N] [max-order=N] | check
        show buddyinfo|pagetypeinfo|zoneinfo|extfrag|unusable|slabinfo|stats
        """

    static let commandNames = ["memory", "zone", "cpus", "pcp", "max-order", "min_free_kbytes", "watermark_scale_factor",
                               "alloc", "free", "kmalloc", "kfree", "kmem_cache_create", "kmem_cache_alloc",
                               "kmem_cache_free", "kmem_cache_shrink", "drain", "random", "show", "check"]

    /// Parses a whole script. `file` names it in errors (`<stdin>` for standard input).
    /// - Complexity: O(length of the text).
    public static func parse(_ text: String, file: String) throws(TraceError) -> [Line] {
        var out: [Line] = []
        var number = 0
        // "\r\n" is one Character in Swift, so a CRLF script has no "\n" Characters to split on.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard !words.isEmpty else { continue }
            do {
                out.append(Line(number: number, command: try parseCommand(words)))
            } catch {
                throw TraceError(file: file, location: .line(number), message: error.message)
            }
        }
        return out
    }

    struct LineError: Error { let message: String }

    /// The `key=value` options of a command, and its plain arguments.
    struct Words {
        var arguments: [String] = []
        var options: [String: String] = [:]
        var flags: Set<String> = []
        let command: String

        init(_ words: [String], flagNames: Set<String> = []) throws(LineError) {
            command = words[0]
            for w in words.dropFirst() {
                if let eq = w.firstIndex(of: "=") {
                    let key = String(w[..<eq]), value = String(w[w.index(after: eq)...])
                    guard !key.isEmpty, !value.isEmpty else { throw LineError(message: "'\(w)' is not a key=value option") }
                    guard options[key] == nil else { throw LineError(message: "\(key)= is given twice") }
                    options[key] = value
                } else if flagNames.contains(w) {
                    flags.insert(w)
                } else {
                    arguments.append(w)
                }
            }
        }

        func expect(_ count: ClosedRange<Int>, usage: String) throws(LineError) {
            guard count.contains(arguments.count) else {
                throw LineError(message: "\(command) takes \(usage)")
            }
        }

        func allow(_ keys: Set<String>) throws(LineError) {
            for key in options.keys.sorted() where !keys.contains(key) {
                let valid = keys.isEmpty ? "no options" : keys.sorted().map { "\($0)=" }.joined(separator: ", ")
                throw LineError(message: "\(command) has no option \(key)= (it takes \(valid))")
            }
        }

        func cpu() throws(LineError) -> Int {
            guard let v = options["cpu"] else { return 0 }
            return try integer(v, what: "cpu=", range: 0...(PhysicalMemoryConfig.maxCPUs - 1))
        }
    }

    static func integer(_ text: String, what: String, range: ClosedRange<Int>) throws(LineError) -> Int {
        guard let n = Int(text) else { throw LineError(message: "\(what) '\(text)' is not a whole number") }
        guard range.contains(n) else {
            throw LineError(message: "\(what) \(n) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return n
    }

    static func size(_ text: String, what: String) throws(LineError) -> UInt64 {
        guard let bytes = ByteSize.parse(text) else {
            throw LineError(message: "\(what) '\(text)' is not a size (examples: 4096, 100, 16M, 1G)")
        }
        return bytes
    }

    static func name(_ text: String) throws(LineError) -> String {
        guard text.first.map({ $0.isLetter || $0 == "_" }) == true,
              text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
            throw LineError(message: "'\(text)' is not a name (start with a letter; letters, digits, _ - .)")
        }
        return text
    }

    static func parseCommand(_ words: [String]) throws(LineError) -> Command {
        let verb = words[0]
        switch verb {
        case "memory":
            let w = try Words(words)
            try w.expect(1...1, usage: "one size, e.g. `memory 256M`")
            try w.allow([])
            return .memory(bytes: try size(w.arguments[0], what: "memory size"))
        case "zone":
            let w = try Words(words)
            try w.expect(2...2, usage: "a zone name and a size, e.g. `zone DMA32 1G`")
            try w.allow([])
            guard let type = ZoneType(configName: w.arguments[0]) else {
                throw LineError(message: "unknown zone '\(w.arguments[0])' (zones: DMA, DMA32, Normal)")
            }
            return .zone(type, bytes: try size(w.arguments[1], what: "zone size"))
        case "cpus":
            let w = try Words(words)
            try w.expect(1...1, usage: "a CPU count, e.g. `cpus 4`")
            try w.allow([])
            return .cpus(try integer(w.arguments[0], what: "cpus", range: 1...PhysicalMemoryConfig.maxCPUs))
        case "pcp":
            let w = try Words(words)
            try w.expect(1...1, usage: "on or off")
            try w.allow([])
            switch w.arguments[0] {
            case "on": return .pcp(true)
            case "off": return .pcp(false)
            default: throw LineError(message: "pcp takes on or off, not '\(w.arguments[0])'")
            }
        case "max-order", "max_order":
            let w = try Words(words)
            try w.expect(1...1, usage: "the largest buddy order, e.g. `max-order 10`")
            try w.allow([])
            return .maxOrder(try integer(w.arguments[0], what: "max-order", range: 0...PhysicalMemoryConfig.maxMaxOrder))
        case "min_free_kbytes":
            let w = try Words(words)
            try w.expect(1...1, usage: "a number of KiB, e.g. `min_free_kbytes 8192`")
            try w.allow([])
            return .minFreeKbytes(try integer(w.arguments[0], what: "min_free_kbytes", range: 0...(1 << 30)))
        case "watermark_scale_factor":
            let w = try Words(words)
            try w.expect(1...1, usage: "a factor in 1/10000ths of the zone, 1 to 3000")
            try w.allow([])
            return .watermarkScaleFactor(try integer(w.arguments[0], what: "watermark_scale_factor", range: 1...3000))
        case "alloc":
            let w = try Words(words)
            try w.expect(2...2, usage: "a name and an order, e.g. `alloc a 3 type=unmovable`")
            try w.allow(["type", "zone", "cpu"])
            let order = try integer(w.arguments[1], what: "order", range: 0...Int(Int32.max))
            var type = MigrateType.movable
            if let t = w.options["type"] {
                guard let m = MigrateType(requestName: t) else {
                    throw LineError(message: "unknown type '\(t)' (types: unmovable, movable, reclaimable)")
                }
                type = m
            }
            var zone: ZoneType?
            if let z = w.options["zone"] {
                guard let parsed = ZoneType(configName: z) else {
                    throw LineError(message: "unknown zone '\(z)' (zones: DMA, DMA32, Normal)")
                }
                zone = parsed
            }
            return .alloc(name: try name(w.arguments[0]), order: order, type: type, zone: zone, cpu: try w.cpu())
        case "free", "kfree", "kmem_cache_free":
            let w = try Words(words)
            try w.expect(1...1, usage: "the name of what to free")
            try w.allow(["cpu"])
            let n = try name(w.arguments[0])
            return verb == "free" ? .free(name: n, cpu: try w.cpu()) : .kfree(name: n, cpu: try w.cpu())
        case "kmalloc":
            let w = try Words(words)
            try w.expect(2...2, usage: "a name and a size in bytes, e.g. `kmalloc k 100`")
            try w.allow(["cpu"])
            return .kmalloc(name: try name(w.arguments[0]), bytes: try size(w.arguments[1], what: "kmalloc size"),
                            cpu: try w.cpu())
        case "kmem_cache_create":
            let w = try Words(words, flagNames: ["reclaimable"])
            try w.expect(2...2, usage: "a cache name and an object size, e.g. `kmem_cache_create inode 600 align=64`")
            try w.allow(["align"])
            let align = try w.options["align"].map { v throws(LineError) in try integer(v, what: "align", range: 1...4096) } ?? 8
            guard align & (align - 1) == 0 else { throw LineError(message: "align=\(align) is not a power of two") }
            return .cacheCreate(name: try name(w.arguments[0]), bytes: try size(w.arguments[1], what: "object size"),
                                align: align, reclaimable: w.flags.contains("reclaimable"))
        case "kmem_cache_alloc":
            let w = try Words(words)
            try w.expect(2...2, usage: "an object name and a cache name, e.g. `kmem_cache_alloc i1 inode`")
            try w.allow(["cpu"])
            return .cacheAlloc(name: try name(w.arguments[0]), cache: try name(w.arguments[1]), cpu: try w.cpu())
        case "kmem_cache_shrink":
            let w = try Words(words)
            try w.expect(0...1, usage: "an optional cache name")
            try w.allow([])
            return .cacheShrink(cache: try w.arguments.first.map { v throws(LineError) in try name(v) })
        case "drain":
            let w = try Words(words)
            try w.expect(0...0, usage: "no arguments")
            try w.allow([])
            return .drain
        case "check":
            let w = try Words(words)
            try w.expect(0...0, usage: "no arguments")
            try w.allow([])
            return .check
        case "random":
            let w = try Words(words)
            try w.expect(1...1, usage: "a count of operations, e.g. `random 10000 seed=7 max-order=4`")
            try w.allow(["seed", "max-order"])
            let count = try integer(w.arguments[0], what: "random count", range: 0...1_000_000_000)
            var seed: UInt64 = 0
            if let s = w.options["seed"] {
                guard let v = UInt64(s) else { throw LineError(message: "seed= '\(s)' is not a whole number") }
                seed = v
            }
            let maxOrder = try w.options["max-order"].map { v throws(LineError) in
                try integer(v, what: "max-order=", range: 0...PhysicalMemoryConfig.maxMaxOrder)
            }
            return .random(count: count, seed: seed, maxOrder: maxOrder)
        case "show":
            let w = try Words(words)
            let choices = ShowTarget.allCases.map(\.rawValue).joined(separator: ", ")
            try w.expect(1...1, usage: "what to show: \(choices)")
            try w.allow([])
            guard let target = ShowTarget(rawValue: w.arguments[0]) else {
                throw LineError(message: "cannot show '\(w.arguments[0])' (choices: \(choices))")
            }
            return .show(target)
        default:
            throw LineError(message: "unknown command '\(verb)' (commands: \(commandNames.joined(separator: ", ")))")
        }
    }
}

extension BuddyScript {
    /// Reads and parses the script at `path` (`-` for standard input, shown as `<stdin>`).
    /// - Complexity: O(size of the file).
    public static func load(path: String) throws(TraceError) -> (name: String, lines: [Line]) {
        let stream = try ByteStream.open(path)
        let text = try stream.readText(limit: 64 << 20, what: "a buddy script")
        return (stream.name, try parse(text, file: stream.name))
    }
}

extension ByteStream {
    /// The whole stream as UTF-8 text (a script, not a trace), refused past `limit` bytes.
    /// - Throws: `TraceError` naming the stream when it is too long or not UTF-8.
    /// - Complexity: O(size of the stream).
    public func readText(limit: Int, what: String) throws(TraceError) -> String {
        var bytes: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try read(into: buffer)
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            if bytes.count > limit { throw TraceError(file: name, message: "\(what) is limited to \(limit >> 20) MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw TraceError(file: name, message: "is not UTF-8 text") }
        return text
    }
}
