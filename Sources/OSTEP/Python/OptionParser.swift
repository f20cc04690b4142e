/// Python 3.11's `optparse.OptionParser()` as the OSTEP scripts build it (usage `%prog [options]`,
/// an automatic `-h, --help`, interspersed positional arguments allowed and ignored): the same
/// parsing, the same help text (optparse's `IndentedHelpFormatter`, wrapped with `textwrap` at
/// `COLUMNS - 2` columns, 78 when `COLUMNS` is unset), and the same errors.
///
/// Errors print `Usage: PROG [options]`, a blank line and `PROG: error: MESSAGE` to standard error
/// and exit with status 2: "no such option: -x", "ambiguous option: --s (--seed, --size?)",
/// "-s option requires 1 argument", "--compute option does not take a value",
/// "option -s: invalid integer value: 'abc'". `PROG` is the script's file name (`malloc.py`),
/// as when the script is run as `python3 malloc.py`.
struct OptionParser {
    /// What an option does with its value.
    enum Action: Equatable {
        /// `action='store', type='int'`: converted by `_parse_num` (base prefixes 0x, 0b, 0).
        case storeInt(default: Int)
        /// `action='store', type='string'`.
        case storeString(default: String)
        /// `action='store_true'`, default `False`.
        case storeTrue
        /// `-h, --help`.
        case help
    }

    struct Option {
        var short: String?
        var long: String?
        var dest: String
        var action: Action
        var help: String

        var takesValue: Bool {
            switch action {
            case .storeInt, .storeString: true
            case .storeTrue, .help: false
            }
        }
    }

    /// A parsed option value.
    enum Value: Equatable {
        case int(PythonInt)
        case string(String)
        case bool(Bool)
    }

    let prog: String
    let options: [Option]

    init(prog: String, options: [Option]) {
        self.prog = prog
        self.options = [Option(short: "-h", long: "--help", dest: "help", action: .help,
                               help: "show this help message and exit")] + options
    }

    /// The values after parsing: every option's default, overridden by the command line.
    struct Values {
        var values: [String: Value]
        /// Positional arguments (the scripts ignore them).
        var arguments: [String]

        func int(_ dest: String) -> PythonInt {
            if case .int(let v)? = values[dest] { return v }
            preconditionFailure("option \(dest) is not an int option")
        }

        func string(_ dest: String) -> String {
            if case .string(let v)? = values[dest] { return v }
            preconditionFailure("option \(dest) is not a string option")
        }

        func bool(_ dest: String) -> Bool {
            if case .bool(let v)? = values[dest] { return v }
            preconditionFailure("option \(dest) is not a flag")
        }
    }

    /// `parser.parse_args(arguments)`. `-h` writes the help to `out` and ends the run with status 0.
    /// - Complexity: O(arguments × options).
    func parse(_ arguments: [String], out: ScriptOutput, host: ScriptHost) throws(ScriptExit) -> Values {
        var values: [String: Value] = [:]
        for option in options {
            switch option.action {
            case .storeInt(let d): values[option.dest] = .int(PythonInt(d))
            case .storeString(let d): values[option.dest] = .string(d)
            case .storeTrue: values[option.dest] = .bool(false)
            case .help: break
            }
        }
        var largs: [String] = []
        var rargs = ArraySlice(arguments)

        func process(_ option: Option, _ opt: String, _ value: String?) throws(ScriptExit) {
            switch option.action {
            case .storeInt:
                guard let v = PythonInt(optparseValue: value!) else {
                    throw .usage("option \(opt): invalid integer value: \(PythonText.repr(value!))")
                }
                values[option.dest] = .int(v)
            case .storeString:
                values[option.dest] = .string(value!)
            case .storeTrue:
                values[option.dest] = .bool(true)
            case .help:
                out.text(formatHelp(host: host))
                throw .exit(0)
            }
        }

        while let arg = rargs.first {
            if arg == "--" {
                rargs.removeFirst()
                break
            } else if arg.hasPrefix("--") {
                rargs.removeFirst()
                var opt = arg
                var hadExplicitValue = false
                if let eq = arg.firstIndex(of: "=") {
                    opt = String(arg[..<eq])
                    rargs.insert(String(arg[arg.index(after: eq)...]), at: rargs.startIndex)
                    hadExplicitValue = true
                }
                let option = try matchLong(opt)
                let name = option.long!
                var value: String?
                if option.takesValue {
                    guard let v = rargs.popFirst() else { throw .usage("\(name) option requires 1 argument") }
                    value = v
                } else if hadExplicitValue {
                    throw .usage("\(name) option does not take a value")
                }
                try process(option, name, value)
            } else if arg.unicodeScalars.first == "-" && arg.unicodeScalars.count > 1 {
                rargs.removeFirst()
                let scalars = Array(arg.unicodeScalars)
                var i = 1
                while i < scalars.count {
                    let opt = "-" + String(scalars[i])
                    i += 1
                    guard let option = options.first(where: { $0.short == opt }) else {
                        throw .usage("no such option: \(opt)")
                    }
                    var value: String?
                    var stop = false
                    if option.takesValue {
                        if i < scalars.count {
                            rargs.insert(String(String.UnicodeScalarView(scalars[i...])), at: rargs.startIndex)
                            stop = true
                        }
                        guard let v = rargs.popFirst() else { throw .usage("\(opt) option requires 1 argument") }
                        value = v
                    }
                    try process(option, opt, value)
                    if stop { break }
                }
            } else {
                largs.append(rargs.removeFirst())
            }
        }
        return Values(values: values, arguments: largs + rargs)
    }

    /// `_match_abbrev`: an exact long option, or the only one that starts with `opt`.
    func matchLong(_ opt: String) throws(ScriptExit) -> Option {
        if let exact = options.first(where: { $0.long == opt }) { return exact }
        let candidates = options.filter { $0.long?.hasPrefix(opt) == true }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty { throw .usage("no such option: \(opt)") }
        let names = candidates.map { $0.long! }.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
        throw .usage("ambiguous option: \(opt) (\(names.joined(separator: ", "))?)")
    }

    /// The usage line optparse prints before an error: `Usage: PROG [options]` and a blank line.
    var usageText: String { "Usage: \(prog) [options]\n\n" }

    /// The help text (`format_help()`), wrapped for the width optparse derives from `COLUMNS`.
    /// - Complexity: O(total help length).
    func formatHelp(host: ScriptHost) -> String {
        // HelpFormatter.__init__: width = int(os.environ['COLUMNS']) or 80 if unset/invalid, minus 2.
        var width = 80
        if let columns = host.environment("COLUMNS"), let v = PythonInt(parsing: columns, base: 10) {
            width = v.exactInt.map { min(max($0, -(1 << 40)), 1 << 40) } ?? (v.isNegative ? -(1 << 40) : 1 << 40)
        }
        width -= 2
        let maxHelpPosition = min(24, max(width - 20, 4))
        let strings = options.map(optionStrings)
        let maxLength = strings.map { $0.unicodeScalars.count + 2 }.max() ?? 0
        let helpPosition = min(maxLength + 2, maxHelpPosition)
        let helpWidth = max(width - helpPosition, 11)
        var text = usageText + "Options:\n"
        for (option, opts) in zip(options, strings) {
            let optWidth = helpPosition - 2 - 2
            var indentFirst: Int
            if opts.unicodeScalars.count > optWidth {
                text += "  " + opts + "\n"
                indentFirst = helpPosition
            } else {
                text += "  " + opts + String(repeating: " ", count: optWidth - opts.unicodeScalars.count) + "  "
                indentFirst = 0
            }
            for line in TextWrap.wrap(option.help, width: helpWidth) {
                text += String(repeating: " ", count: indentFirst) + line + "\n"
                indentFirst = helpPosition
            }
        }
        return text
    }

    /// `format_option_strings`: `-s SEED, --seed=SEED`, or `-c, --compute` for flags.
    func optionStrings(_ option: Option) -> String {
        var parts: [String] = []
        let metavar = option.dest.uppercased()
        if let s = option.short { parts.append(option.takesValue ? "\(s) \(metavar)" : s) }
        if let l = option.long { parts.append(option.takesValue ? "\(l)=\(metavar)" : l) }
        return parts.joined(separator: ", ")
    }
}

/// Python's `textwrap.wrap(text, width)` with its defaults (break long words, break on hyphens,
/// drop white space at line ends), for the ASCII help strings of the scripts.
enum TextWrap {
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\u{0B}" || c == "\u{0C}" || c == "\r"
    }

    static func isWordChar(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
    }

    /// `[^\d\W]`: a word character that is not a digit.
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        isWordChar(c) && c.properties.numericType != .decimal
    }

    /// `[\w!"\'&.,?]`
    static func isWordPunct(_ c: Unicode.Scalar) -> Bool {
        isWordChar(c) || "!\"'&.,?".unicodeScalars.contains(c)
    }

    /// `TextWrapper._split`: the chunks of `wordsep_re` (white space runs, words, hyphenated word
    /// parts, em-dashes).
    static func chunks(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var result: [[Unicode.Scalar]] = []
        let n = text.count
        func at(_ i: Int) -> Unicode.Scalar? { i >= 0 && i < n ? text[i] : nil }
        func dashRunThenWord(_ i: Int) -> Bool {
            // (?=-{2,}\w) at i
            var j = i
            while at(j) == "-" { j += 1 }
            return j - i >= 2 && at(j).map(isWordChar) == true
        }
        var i = 0
        while i < n {
            if isSpace(text[i]) {
                var j = i
                while j < n && isSpace(text[j]) { j += 1 }
                result.append(Array(text[i..<j])); i = j; continue
            }
            // em-dash between words: (?<=wp) -{2,} (?=\w)
            if text[i] == "-", i > 0, isWordPunct(text[i - 1]) {
                var j = i
                while j < n && text[j] == "-" { j += 1 }
                if j - i >= 2 && at(j).map(isWordChar) == true {
                    result.append(Array(text[i..<j])); i = j; continue
                }
            }
            // nws+? followed by: a breakable hyphen, the end of the word, or an em-dash.
            var end = i + 1
            while true {
                // end: the position after the non-space characters consumed so far.
                if at(end) == "-", end < n {
                    let p = end + 1
                    let two = at(p - 3).map(isLetter) == true && at(p - 2).map(isLetter) == true
                    let alt = at(p - 4).map(isLetter) == true && at(p - 3) == "-" && at(p - 2).map(isLetter) == true
                    let ahead = at(p).map(isLetter) == true
                        && (at(p + 1).map(isLetter) == true || (at(p + 1) == "-" && at(p + 2).map(isLetter) == true))
                    if (two || alt) && ahead { end = p; break }
                }
                if end >= n || isSpace(text[end]) { break }
                if isWordPunct(text[end - 1]) && dashRunThenWord(end) { break }
                end += 1
            }
            result.append(Array(text[i..<end]))
            i = end
        }
        return result
    }

    /// `textwrap.wrap(text, width)`.
    static func wrap(_ text: String, width: Int) -> [String] {
        // _munge_whitespace: tabs expanded (none in the scripts' help), white space to spaces.
        let munged = text.unicodeScalars.map { isSpace($0) ? " " : $0 }
        var pending = Array(chunks(munged).reversed())
        var lines: [String] = []
        func isBlank(_ c: [Unicode.Scalar]) -> Bool { c.allSatisfy(isSpace) }
        while !pending.isEmpty {
            var line: [[Unicode.Scalar]] = []
            var length = 0
            if isBlank(pending.last!) && !lines.isEmpty { pending.removeLast() }
            while let chunk = pending.last, length + chunk.count <= width {
                line.append(pending.removeLast())
                length += chunk.count
            }
            if let chunk = pending.last, chunk.count > width {
                // _handle_long_word
                let spaceLeft = width < 1 ? 1 : width - length
                var end = spaceLeft
                if chunk.count > spaceLeft, let hyphen = chunk[0..<min(spaceLeft, chunk.count)].lastIndex(of: "-"),
                   hyphen > 0, chunk[0..<hyphen].contains(where: { $0 != "-" }) {
                    end = hyphen + 1
                }
                end = min(max(end, 0), chunk.count)
                line.append(Array(chunk[0..<end]))
                pending[pending.count - 1] = Array(chunk[end...])
            }
            if let last = line.last, isBlank(last) {
                length -= last.count
                line.removeLast()
            }
            if !line.isEmpty {
                var s = String.UnicodeScalarView()
                for c in line { s.append(contentsOf: c) }
                lines.append(String(s))
            }
        }
        return lines
    }
}
