/// The OSTEP homework simulators VMSim reproduces, byte for byte, by name.
///
/// Each tool takes the flags of its Python script (remzi-arpacidusseau/ostep-homework) and prints
/// exactly what the script prints under Python 3.11 for the same arguments, including the script's
/// own error messages and exit statuses. optparse messages name the script's file (`malloc.py`),
/// as when a student runs `python3 malloc.py`. Where the script would die with a Python traceback
/// (or loop forever), VMSim prints one clear sentence to standard error and exits with status 1.
public enum OSTEPTool: String, CaseIterable, Sendable {
    case malloc
    case pagingPolicy = "paging-policy"
    case linear
    case multilevel
    case segmentation
    case relocation

    /// The script's path in the ostep-homework repository.
    public var scriptPath: String {
        switch self {
        case .malloc: "vm-freespace/malloc.py"
        case .pagingPolicy: "vm-beyondphys-policy/paging-policy.py"
        case .linear: "vm-paging/paging-linear-translate.py"
        case .multilevel: "vm-smalltables/paging-multilevel-translate.py"
        case .segmentation: "vm-segmentation/segmentation.py"
        case .relocation: "vm-mechanism/relocation.py"
        }
    }

    /// The script's file name: optparse's `%prog` in usage lines and error messages.
    public var scriptName: String { String(scriptPath.split(separator: "/").last!) }

    /// A one-line description for `vmsim ostep --help`.
    public var summary: String {
        switch self {
        case .malloc: "free-space management: fits, list orders, coalescing"
        case .pagingPolicy: "page replacement: FIFO, LRU, OPT, UNOPT, RAND, CLOCK, MRU"
        case .linear: "address translation with a linear page table"
        case .multilevel: "address translation with a two-level page table"
        case .segmentation: "address translation with two segments (base/limit)"
        case .relocation: "address translation with base and bounds"
        }
    }

    /// The tool called `name`: its VMSim name, its script's file name (`malloc.py`) or that name
    /// without `.py` (`paging-linear-translate`).
    /// - Complexity: O(1).
    public init?(named name: String) {
        if let tool = OSTEPTool(rawValue: name) { self = tool; return }
        let stem = name.hasSuffix(".py") ? String(name.dropLast(3)) : name
        guard let tool = OSTEPTool.allCases.first(where: { $0.scriptName == stem + ".py" }) else { return nil }
        self = tool
    }

    /// Runs the tool on `arguments` (the script's `sys.argv[1:]`), writing its standard output to
    /// `stdout` and its standard error to `stderr`, and returns the exit status.
    ///
    ///     let out = ScriptOutput(), err = ScriptOutput()
    ///     let status = OSTEPTool.relocation.run(["-s", "1", "-c"], stdout: out, stderr: err)
    ///
    /// - Complexity: that of the simulated script's work, without its quadratic scans (see each
    ///   tool's documentation).
    public func run(_ arguments: [String], stdout: ScriptOutput, stderr: ScriptOutput,
                    host: ScriptHost = .empty) -> Int32 {
        let context = ScriptContext(prog: scriptName, out: stdout, host: host)
        var status: Int32 = 0
        do throws(ScriptExit) {
            switch self {
            case .malloc: try MallocScript.main(arguments, context)
            case .pagingPolicy: try PagingPolicyScript.main(arguments, context)
            case .linear: try LinearTranslateScript.main(arguments, context)
            case .multilevel: try MultilevelTranslateScript.main(arguments, context)
            case .segmentation: try SegmentationScript.main(arguments, context)
            case .relocation: try RelocationScript.main(arguments, context)
            }
        } catch {
            switch error {
            case .exit(let code):
                status = code
            case .usage(let message):
                stderr.text("Usage: \(scriptName) [options]\n\n\(scriptName): error: \(message)\n")
                status = 2
            case .crash(let message, let exception):
                var text = "vmsim ostep \(rawValue): \(message)"
                if exception == ScriptExit.endlessLoop {
                    text += " (\(scriptName) would loop here forever)"
                } else if let exception {
                    text += " (\(scriptName) stops here with a Python \(exception) traceback)"
                }
                stderr.text(text + "\n")
                status = 1
            }
        }
        stdout.finish()
        stderr.finish()
        return status
    }
}

/// What a script run needs: its name for messages, its output and the host.
struct ScriptContext {
    let prog: String
    let out: ScriptOutput
    let host: ScriptHost

    /// The option parser for this script.
    func parser(_ options: [OptionParser.Option]) -> OptionParser {
        OptionParser(prog: prog, options: options)
    }
}

/// Shorthands for declaring a script's options in the order it adds them.
extension OptionParser.Option {
    static func int(_ short: String, _ long: String?, _ dest: String, _ value: Int, _ help: String) -> Self {
        .init(short: short, long: long, dest: dest, action: .storeInt(default: value), help: help)
    }
    static func string(_ short: String, _ long: String?, _ dest: String, _ value: String, _ help: String) -> Self {
        .init(short: short, long: long, dest: dest, action: .storeString(default: value), help: help)
    }
    static func flag(_ short: String, _ long: String?, _ dest: String, _ help: String) -> Self {
        .init(short: short, long: long, dest: dest, action: .storeTrue, help: help)
    }
}

/// The conversions the scripts apply to their arguments, with Python's failures as `ScriptExit`.
enum ScriptValues {
    /// A value of an `int` option, within the range the simulators compute in (±2^60).
    static func bounded(_ value: PythonInt, _ what: String) throws(ScriptExit) -> Int {
        guard let v = value.bounded else { throw outOfRange(value.description, what) }
        return v
    }

    static func outOfRange(_ text: String, _ what: String) -> ScriptExit {
        .crash("\(what) \(text) is beyond what vmsim ostep computes with (integers up to 2^60 in magnitude); "
               + "the Python script would carry on with arbitrary-precision integers", exception: nil)
    }

    /// Python's `int(text)` (base 10), bounded to ±2^60.
    static func int(_ text: String, _ what: String) throws(ScriptExit) -> Int {
        guard let v = PythonInt(parsing: text, base: 10) else {
            throw .crash("\(what): invalid literal for int() with base 10: \(PythonText.repr(text))",
                         exception: "ValueError")
        }
        return try bounded(v, what)
    }

    /// Python's `int(text)` for a seed: any size (up to Python's 4300 digits).
    static func seed(_ text: String) throws(ScriptExit) -> PythonInt {
        guard let v = PythonInt(parsing: text, base: 10) else {
            throw .crash("seed: invalid literal for int() with base 10: \(PythonText.repr(text))",
                         exception: "ValueError")
        }
        return v
    }

    /// `str(n)` of an `int` option, as `print` shows it.
    static func str(_ value: PythonInt) throws(ScriptExit) -> String {
        guard let s = value.decimalString else {
            throw .crash("the integer has more than 4300 digits, too many for str()", exception: "ValueError")
        }
        return s
    }

    /// The `ARG seed`, `ARG address space size` and `ARG phys mem size` lines the address-translation
    /// scripts (linear, segmentation, relocation) start with; returns the seed.
    static func echoSeedAndSizes(_ o: OptionParser.Values, _ out: ScriptOutput) throws(ScriptExit) -> PythonInt {
        let seed = o.int("seed")
        out.line(text: "ARG seed " + (try str(seed)))
        out.line(text: "ARG address space size " + o.string("asize"))
        out.line(text: "ARG phys mem size " + o.string("psize"))
        return seed
    }

    /// The scripts' `convert(size)`: a number with an optional `k`/`K`, `m`/`M` or `g`/`G` suffix
    /// (powers of 1024), read with `int()`.
    static func size(_ text: String, _ what: String) throws(ScriptExit) -> Int {
        let scalars = Array(text.unicodeScalars)
        guard let last = scalars.last else {
            throw .crash("\(what): an empty size (the script indexes its last character)", exception: "IndexError")
        }
        let multiplier: Int
        switch last {
        case "k", "K": multiplier = 1 << 10
        case "m", "M": multiplier = 1 << 20
        case "g", "G": multiplier = 1 << 30
        default: return try int(text, what)
        }
        let number = String(String.UnicodeScalarView(scalars.dropLast()))
        let v = try int(number, what)
        let (product, overflow) = v.multipliedReportingOverflow(by: multiplier)
        guard !overflow, product.magnitude <= UInt(PythonInt.boundedLimit) else {
            throw outOfRange(text, what)
        }
        return product
    }

    /// `int(x)` of a float the scripts compute (truncation toward zero); the values are bounded by
    /// construction, so the result fits.
    @inlinable
    static func trunc(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        if x >= 9.2e18 { return .max }
        if x <= -9.2e18 { return .min }
        return Int(x)
    }
}

/// Python's comparisons between an `int` and a `float`, which are exact (no rounding of the int).
enum PyCompare {
    /// `a > x`
    static func greater(_ a: Int, _ x: Double) -> Bool {
        if x.isNaN { return false }
        if x >= 9_223_372_036_854_775_808.0 { return false }
        if x < -9_223_372_036_854_775_808.0 { return true }
        return a > Int(x.rounded(.down))
    }

    /// `a >= x`
    static func greaterOrEqual(_ a: Int, _ x: Double) -> Bool {
        if x.isNaN { return false }
        if x >= 9_223_372_036_854_775_808.0 { return false }
        if x <= -9_223_372_036_854_775_808.0 { return true }
        return a >= Int(x.rounded(.up))
    }

    /// `a == x`
    static func equal(_ a: Int, _ x: Double) -> Bool {
        greaterOrEqual(a, x) && !greater(a, x)
    }
}

extension ScriptValues {
    /// The number of iterations of `range(0, n)`: `n` itself, 0 when negative, and `Int.max` (as good
    /// as Python's endless loop) when beyond 64 bits.
    static func count(_ value: PythonInt) -> Int {
        value.exactInt.map { max($0, 0) } ?? (value.isNegative ? 0 : .max)
    }
}

/// Python's `text.split(separator)` for a one-character separator: every piece, empty ones included.
func pySplit(_ text: String, _ separator: Unicode.Scalar) -> [String] {
    text.unicodeScalars.split(separator: separator, omittingEmptySubsequences: false).map { String($0) }
}
