import Testing
@testable import OSTEP

/// Python's number formatting and `int()` parsing, against values printed by CPython 3.11
/// (`repr(x)`, `'%.2f' % x`, `'%08x' % n`, `int(text, base)`, optparse's `_parse_num`, `repr(str)`).
struct PythonFormatTests {
    struct FloatCase: Sendable, CustomTestStringConvertible {
        var value: Double
        var repr: String, f2: String, f0: String, f3: String
        init(_ value: Double, repr: String, f2: String, f0: String, f3: String) {
            self.value = value; self.repr = repr; self.f2 = f2; self.f0 = f0; self.f3 = f3
        }
        var testDescription: String { repr }
    }

    static let floats: [FloatCase] = [
        FloatCase(0.0, repr: "0.0", f2: "0.00", f0: "0", f3: "0.000"),
        FloatCase(-0.0, repr: "-0.0", f2: "-0.00", f0: "-0", f3: "-0.000"),
        FloatCase(1.0, repr: "1.0", f2: "1.00", f0: "1", f3: "1.000"),
        FloatCase(0.1, repr: "0.1", f2: "0.10", f0: "0", f3: "0.100"),
        FloatCase(2.675, repr: "2.675", f2: "2.67", f0: "3", f3: "2.675"),
        FloatCase(1e+16, repr: "1e+16", f2: "10000000000000000.00", f0: "10000000000000000", f3: "10000000000000000.000"),
        FloatCase(1234567890123456.0, repr: "1234567890123456.0", f2: "1234567890123456.00", f0: "1234567890123456", f3: "1234567890123456.000"),
        FloatCase(1.2345678901234568e+16, repr: "1.2345678901234568e+16", f2: "12345678901234568.00", f0: "12345678901234568", f3: "12345678901234568.000"),
        FloatCase(1e-05, repr: "1e-05", f2: "0.00", f0: "0", f3: "0.000"),
        FloatCase(0.0001, repr: "0.0001", f2: "0.00", f0: "0", f3: "0.000"),
        FloatCase(1.5e-07, repr: "1.5e-07", f2: "0.00", f0: "0", f3: "0.000"),
        FloatCase(.leastNonzeroMagnitude, repr: "5e-324", f2: "0.00", f0: "0", f3: "0.000"),
        FloatCase(123.456, repr: "123.456", f2: "123.46", f0: "123", f3: "123.456"),
        FloatCase(-2.5, repr: "-2.5", f2: "-2.50", f0: "-2", f3: "-2.500"),
        FloatCase(100.0, repr: "100.0", f2: "100.00", f0: "100", f3: "100.000"),
        FloatCase(33.333333333333336, repr: "33.333333333333336", f2: "33.33", f0: "33", f3: "33.333"),
        FloatCase(66.66666666666667, repr: "66.66666666666667", f2: "66.67", f0: "67", f3: "66.667"),
        FloatCase(0.125, repr: "0.125", f2: "0.12", f0: "0", f3: "0.125"),
        FloatCase(0.005, repr: "0.005", f2: "0.01", f0: "0", f3: "0.005"),
        FloatCase(0.015, repr: "0.015", f2: "0.01", f0: "0", f3: "0.015"),
        FloatCase(0.025, repr: "0.025", f2: "0.03", f0: "0", f3: "0.025"),
        FloatCase(1e+22, repr: "1e+22", f2: "10000000000000000000000.00", f0: "10000000000000000000000", f3: "10000000000000000000000.000"),
        FloatCase(9007199254740992.0, repr: "9007199254740992.0", f2: "9007199254740992.00", f0: "9007199254740992", f3: "9007199254740992.000"),
        FloatCase(0.3, repr: "0.3", f2: "0.30", f0: "0", f3: "0.300"),
        FloatCase(0.6666666666666666, repr: "0.6666666666666666", f2: "0.67", f0: "1", f3: "0.667"),
        FloatCase(1.7976931348623157e+308, repr: "1.7976931348623157e+308", f2: "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.00", f0: "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368", f3: "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000"),
    ]

    @Test(arguments: floats)
    func floatFormatting(_ c: FloatCase) {
        #expect(pyFloatRepr(c.value) == c.repr)
        #expect(pyFixed(c.value, precision: 2) == c.f2)
        #expect(pyFixed(c.value, precision: 0) == c.f0)
        #expect(pyFixed(c.value, precision: 3) == c.f3)
    }

    @Test func nonFiniteFloats() {
        #expect(pyFloatRepr(.infinity) == "inf")
        #expect(pyFloatRepr(-.infinity) == "-inf")
        #expect(pyFloatRepr(.nan) == "nan")
        #expect(pyFixed(.infinity, precision: 2) == "inf")
        #expect(pyFixed(-.infinity, precision: 2) == "-inf")
        #expect(pyFixed(.nan, precision: 2) == "nan")
    }

    /// Hit rates as paging-policy prints them: `'%.2f' % (100.0 * h / (h + m))` for every h + m up to 60.
    @Test func hitRatesRoundLikePython() {
        // Spot values from CPython: 1/8 -> 12.50, 1/3 -> 33.33, 2/3 -> 66.67, 1/6 -> 16.67, 5/8 -> 62.50.
        #expect(pyFixed(100.0 * 1 / 8, precision: 2) == "12.50")
        #expect(pyFixed(100.0 * 1 / 3, precision: 2) == "33.33")
        #expect(pyFixed(100.0 * 2 / 3, precision: 2) == "66.67")
        #expect(pyFixed(100.0 * 1 / 6, precision: 2) == "16.67")
        #expect(pyFixed(100.0 * 5 / 8, precision: 2) == "62.50")
        #expect(pyFixed(100.0 * 1 / 7, precision: 2) == "14.29")
    }

    struct IntCase: Sendable, CustomTestStringConvertible {
        var value: Int, width: Int, zeroPad: Bool, radix: Int, expected: String
        init(_ value: Int, width: Int, zeroPad: Bool, radix: Int, _ expected: String) {
            self.value = value; self.width = width; self.zeroPad = zeroPad; self.radix = radix; self.expected = expected
        }
        var testDescription: String { "\(value) -> '\(expected)'" }
    }

    static let ints: [IntCase] = [
        IntCase(5, width: 0, zeroPad: false, radix: 10, "5"),
        IntCase(-5, width: 0, zeroPad: false, radix: 10, "-5"),
        IntCase(7, width: 2, zeroPad: false, radix: 10, " 7"),
        IntCase(-7, width: 2, zeroPad: false, radix: 10, "-7"),
        IntCase(123, width: 2, zeroPad: false, radix: 10, "123"),
        IntCase(42, width: 8, zeroPad: false, radix: 10, "      42"),
        IntCase(-42, width: 8, zeroPad: false, radix: 10, "     -42"),
        IntCase(255, width: 0, zeroPad: false, radix: 16, "ff"),
        IntCase(-255, width: 0, zeroPad: false, radix: 16, "-ff"),
        IntCase(5, width: 8, zeroPad: true, radix: 16, "00000005"),
        IntCase(-5, width: 8, zeroPad: true, radix: 16, "-0000005"),
        IntCase(2147483653, width: 8, zeroPad: true, radix: 16, "80000005"),
        IntCase(0, width: 2, zeroPad: true, radix: 16, "00"),
        IntCase(127, width: 2, zeroPad: true, radix: 16, "7f"),
        IntCase(3, width: 3, zeroPad: true, radix: 16, "003"),
        IntCase(4611686018427387904, width: 0, zeroPad: false, radix: 16, "4000000000000000"),
        IntCase(-9223372036854775808, width: 0, zeroPad: false, radix: 10, "-9223372036854775808"),
        IntCase(9223372036854775807, width: 0, zeroPad: false, radix: 10, "9223372036854775807"),
        IntCase(-9223372036854775808, width: 0, zeroPad: false, radix: 16, "-8000000000000000"),
        IntCase(12, width: 4, zeroPad: true, radix: 16, "000c"),
        IntCase(0, width: 4, zeroPad: false, radix: 10, "   0"),
        IntCase(-1, width: 4, zeroPad: false, radix: 10, "  -1"),
    ]

    @Test(arguments: ints)
    func percentFormatting(_ c: IntCase) {
        #expect(pyFormat(c.value, width: c.width, zeroPad: c.zeroPad, radix: c.radix) == c.expected)
    }

    /// ScriptOutput's fast paths (digit tables, widths up to 16) agree with the general formatter.
    @Test func outputFastPathsMatchGeneralFormatting() {
        var rng = PythonRandom(seed: 7)
        var values = [0, 1, 9, 10, 99, 100, 9_999, 10_000, 10_001, 99_999_999, 100_000_000, -1, -10_000, Int.max, Int.min]
        for _ in 0..<2000 { values.append(Int(rng.getrandbits(Int(rng.getrandbits(5)) + 1))) }
        for v in values {
            for width in [0, 1, 2, 3, 4, 8, 12, 16, 17, 40] {
                for zeroPad in [false, true] {
                    let out = ScriptOutput()
                    out.int(v, width: width, zeroPad: zeroPad)
                    out.byte(0x7C)
                    out.hex(v, width: width, zeroPad: zeroPad)
                    out.finish()
                    let expected = pyFormat(v, width: width, zeroPad: zeroPad, radix: 10) + "|"
                        + pyFormat(v, width: width, zeroPad: zeroPad, radix: 16)
                    #expect(String(decoding: out.bytes, as: UTF8.self) == expected, "\(v) width \(width)")
                }
            }
        }
    }

    struct ParseCase: Sendable, CustomTestStringConvertible {
        var text: String, base: Int, expected: String?
        init(_ text: String, base: Int, _ expected: String?) { self.text = text; self.base = base; self.expected = expected }
        var testDescription: String { "int(\(PythonText.repr(text)), \(base))" }
    }

    /// `base: 0` stands for optparse's `type='int'` conversion.
    static let parses: [ParseCase] = [
        ParseCase("0", base: 10, "0"),
        ParseCase("0", base: 16, "0"),
        ParseCase("0", base: 8, "0"),
        ParseCase("0", base: 2, "0"),
        ParseCase("0", base: 0, "0"),
        ParseCase("-0", base: 10, "0"),
        ParseCase("-0", base: 16, "0"),
        ParseCase("-0", base: 8, "0"),
        ParseCase("-0", base: 2, "0"),
        ParseCase("-0", base: 0, "0"),
        ParseCase("+5", base: 10, "5"),
        ParseCase("+5", base: 16, "5"),
        ParseCase("+5", base: 8, "5"),
        ParseCase("+5", base: 2, nil),
        ParseCase("+5", base: 0, "5"),
        ParseCase(" 42 ", base: 10, "42"),
        ParseCase(" 42 ", base: 16, "66"),
        ParseCase(" 42 ", base: 8, "34"),
        ParseCase(" 42 ", base: 2, nil),
        ParseCase(" 42 ", base: 0, "42"),
        ParseCase("\u{9}7\u{a}", base: 10, "7"),
        ParseCase("\u{9}7\u{a}", base: 16, "7"),
        ParseCase("\u{9}7\u{a}", base: 8, "7"),
        ParseCase("\u{9}7\u{a}", base: 2, nil),
        ParseCase("\u{9}7\u{a}", base: 0, "7"),
        ParseCase("1_000", base: 10, "1000"),
        ParseCase("1_000", base: 16, "4096"),
        ParseCase("1_000", base: 8, "512"),
        ParseCase("1_000", base: 2, "8"),
        ParseCase("1_000", base: 0, "1000"),
        ParseCase("1__0", base: 10, nil),
        ParseCase("1__0", base: 16, nil),
        ParseCase("1__0", base: 8, nil),
        ParseCase("1__0", base: 2, nil),
        ParseCase("1__0", base: 0, nil),
        ParseCase("_1", base: 10, nil),
        ParseCase("_1", base: 16, nil),
        ParseCase("_1", base: 8, nil),
        ParseCase("_1", base: 2, nil),
        ParseCase("_1", base: 0, nil),
        ParseCase("1_", base: 10, nil),
        ParseCase("1_", base: 16, nil),
        ParseCase("1_", base: 8, nil),
        ParseCase("1_", base: 2, nil),
        ParseCase("1_", base: 0, nil),
        ParseCase("abc", base: 10, nil),
        ParseCase("abc", base: 16, "2748"),
        ParseCase("abc", base: 8, nil),
        ParseCase("abc", base: 2, nil),
        ParseCase("abc", base: 0, nil),
        ParseCase("", base: 10, nil),
        ParseCase("", base: 16, nil),
        ParseCase("", base: 8, nil),
        ParseCase("", base: 2, nil),
        ParseCase("", base: 0, nil),
        ParseCase("  ", base: 10, nil),
        ParseCase("  ", base: 16, nil),
        ParseCase("  ", base: 8, nil),
        ParseCase("  ", base: 2, nil),
        ParseCase("  ", base: 0, nil),
        ParseCase("0x1f", base: 10, nil),
        ParseCase("0x1f", base: 16, "31"),
        ParseCase("0x1f", base: 8, nil),
        ParseCase("0x1f", base: 2, nil),
        ParseCase("0x1f", base: 0, "31"),
        ParseCase("0X1F", base: 10, nil),
        ParseCase("0X1F", base: 16, "31"),
        ParseCase("0X1F", base: 8, nil),
        ParseCase("0X1F", base: 2, nil),
        ParseCase("0X1F", base: 0, "31"),
        ParseCase("0x_1f", base: 10, nil),
        ParseCase("0x_1f", base: 16, "31"),
        ParseCase("0x_1f", base: 8, nil),
        ParseCase("0x_1f", base: 2, nil),
        ParseCase("0x_1f", base: 0, "31"),
        ParseCase("0x", base: 10, nil),
        ParseCase("0x", base: 16, nil),
        ParseCase("0x", base: 8, nil),
        ParseCase("0x", base: 2, nil),
        ParseCase("0x", base: 0, nil),
        ParseCase("0o17", base: 10, nil),
        ParseCase("0o17", base: 16, nil),
        ParseCase("0o17", base: 8, "15"),
        ParseCase("0o17", base: 2, nil),
        ParseCase("0o17", base: 0, "15"),
        ParseCase("0b101", base: 10, nil),
        ParseCase("0b101", base: 16, "45313"),
        ParseCase("0b101", base: 8, nil),
        ParseCase("0b101", base: 2, "5"),
        ParseCase("0b101", base: 0, "5"),
        ParseCase("0b", base: 10, nil),
        ParseCase("0b", base: 16, "11"),
        ParseCase("0b", base: 8, nil),
        ParseCase("0b", base: 2, nil),
        ParseCase("0b", base: 0, "0"),
        ParseCase("0b_1", base: 10, nil),
        ParseCase("0b_1", base: 16, "177"),
        ParseCase("0b_1", base: 8, nil),
        ParseCase("0b_1", base: 2, "1"),
        ParseCase("0b_1", base: 0, nil),
        ParseCase("007", base: 10, "7"),
        ParseCase("007", base: 16, "7"),
        ParseCase("007", base: 8, "7"),
        ParseCase("007", base: 2, nil),
        ParseCase("007", base: 0, "7"),
        ParseCase("08", base: 10, "8"),
        ParseCase("08", base: 16, "8"),
        ParseCase("08", base: 8, nil),
        ParseCase("08", base: 2, nil),
        ParseCase("08", base: 0, nil),
        ParseCase("09", base: 10, "9"),
        ParseCase("09", base: 16, "9"),
        ParseCase("09", base: 8, nil),
        ParseCase("09", base: 2, nil),
        ParseCase("09", base: 0, nil),
        ParseCase("0_7", base: 10, "7"),
        ParseCase("0_7", base: 16, "7"),
        ParseCase("0_7", base: 8, "7"),
        ParseCase("0_7", base: 2, nil),
        ParseCase("0_7", base: 0, "7"),
        ParseCase("\u{663}\u{664}", base: 10, "34"),
        ParseCase("\u{663}\u{664}", base: 16, "52"),
        ParseCase("\u{663}\u{664}", base: 8, "28"),
        ParseCase("\u{663}\u{664}", base: 2, nil),
        ParseCase("\u{663}\u{664}", base: 0, "34"),
        ParseCase("\u{a0}5", base: 10, "5"),
        ParseCase("\u{a0}5", base: 16, "5"),
        ParseCase("\u{a0}5", base: 8, "5"),
        ParseCase("\u{a0}5", base: 2, nil),
        ParseCase("\u{a0}5", base: 0, "5"),
        ParseCase("5\u{a0}", base: 10, "5"),
        ParseCase("5\u{a0}", base: 16, "5"),
        ParseCase("5\u{a0}", base: 8, "5"),
        ParseCase("5\u{a0}", base: 2, nil),
        ParseCase("5\u{a0}", base: 0, "5"),
        ParseCase("\u{1c}5", base: 10, nil),
        ParseCase("\u{1c}5", base: 16, nil),
        ParseCase("\u{1c}5", base: 8, nil),
        ParseCase("\u{1c}5", base: 2, nil),
        ParseCase("\u{1c}5", base: 0, nil),
        ParseCase("\u{b}5", base: 10, "5"),
        ParseCase("\u{b}5", base: 16, "5"),
        ParseCase("\u{b}5", base: 8, "5"),
        ParseCase("\u{b}5", base: 2, nil),
        ParseCase("\u{b}5", base: 0, "5"),
        ParseCase("5\u{7f}", base: 10, nil),
        ParseCase("5\u{7f}", base: 16, nil),
        ParseCase("5\u{7f}", base: 8, nil),
        ParseCase("5\u{7f}", base: 2, nil),
        ParseCase("5\u{7f}", base: 0, nil),
        ParseCase("5.0", base: 10, nil),
        ParseCase("5.0", base: 16, nil),
        ParseCase("5.0", base: 8, nil),
        ParseCase("5.0", base: 2, nil),
        ParseCase("5.0", base: 0, nil),
        ParseCase("-0x10", base: 10, nil),
        ParseCase("-0x10", base: 16, "-16"),
        ParseCase("-0x10", base: 8, nil),
        ParseCase("-0x10", base: 2, nil),
        ParseCase("-0x10", base: 0, nil),
        ParseCase("99999999999999999999999999", base: 10, "99999999999999999999999999"),
        ParseCase("99999999999999999999999999", base: 16, "12169445762191002254368350771609"),
        ParseCase("99999999999999999999999999", base: 8, nil),
        ParseCase("99999999999999999999999999", base: 2, nil),
        ParseCase("99999999999999999999999999", base: 0, "99999999999999999999999999"),
        ParseCase("-123456789012345678901234567890", base: 10, "-123456789012345678901234567890"),
        ParseCase("-123456789012345678901234567890", base: 16, "-94522879687365475552814062743484560"),
        ParseCase("-123456789012345678901234567890", base: 8, nil),
        ParseCase("-123456789012345678901234567890", base: 2, nil),
        ParseCase("-123456789012345678901234567890", base: 0, "-123456789012345678901234567890"),
        ParseCase("1e3", base: 10, nil),
        ParseCase("1e3", base: 16, "483"),
        ParseCase("1e3", base: 8, nil),
        ParseCase("1e3", base: 2, nil),
        ParseCase("1e3", base: 0, nil),
        ParseCase("\u{663}x", base: 10, nil),
        ParseCase("\u{663}x", base: 16, nil),
        ParseCase("\u{663}x", base: 8, nil),
        ParseCase("\u{663}x", base: 2, nil),
        ParseCase("\u{663}x", base: 0, nil),
        ParseCase("+-1", base: 10, nil),
        ParseCase("+-1", base: 16, nil),
        ParseCase("+-1", base: 8, nil),
        ParseCase("+-1", base: 2, nil),
        ParseCase("+-1", base: 0, nil),
        ParseCase("- 1", base: 10, nil),
        ParseCase("- 1", base: 16, nil),
        ParseCase("- 1", base: 8, nil),
        ParseCase("- 1", base: 2, nil),
        ParseCase("- 1", base: 0, nil),
        ParseCase("\u{2003}5", base: 10, "5"),
        ParseCase("\u{2003}5", base: 16, "5"),
        ParseCase("\u{2003}5", base: 8, "5"),
        ParseCase("\u{2003}5", base: 2, nil),
        ParseCase("\u{2003}5", base: 0, "5"),
    ]

    @Test(arguments: parses)
    func intParsing(_ c: ParseCase) {
        let v = c.base == 0 ? PythonInt(optparseValue: c.text) : PythonInt(parsing: c.text, base: c.base)
        #expect(v?.description == c.expected)
    }

    static let reprs: [(String, String)] = [
        ("abc", "'abc'"),
        ("it's", "\"it's\""),
        ("say \"hi\"", "'say \"hi\"'"),
        ("both ' and \"", "'both \\' and \"'"),
        ("tab\u{9}here", "'tab\\there'"),
        ("nl\u{a}", "'nl\\n'"),
        ("\u{0}\u{7f}\u{80}", "'\\x00\\x7f\\x80'"),
        ("\u{a0}x", "'\\xa0x'"),
        ("\u{e9}", "'\u{e9}'"),
        ("\u{2028}", "'\\u2028'"),
        ("\u{1f600}", "'\u{1f600}'"),
        ("back\\slash", "'back\\\\slash'"),
    ]

    @Test func stringRepr() {
        for (text, expected) in Self.reprs {
            #expect(PythonText.repr(text) == expected)
        }
    }

    @Test func bigIntegers() throws {
        let big = try #require(PythonInt(parsing: "-123456789012345678901234567890", base: 10))
        #expect(big.isNegative)
        #expect(big.exactInt == nil)
        #expect(big.bounded == nil)
        #expect(PythonInt(Int.min).description == "-9223372036854775808")
        #expect(PythonInt(Int.min).exactInt == Int.min)
        #expect(PythonInt(1 << 60).bounded == 1 << 60)
        #expect(PythonInt(1 << 60 + 1).bounded == nil)
        // Python 3.11 refuses more than 4300 decimal digits, in int() and in str().
        #expect(PythonInt(parsing: String(repeating: "9", count: 4300), base: 10) != nil)
        #expect(PythonInt(parsing: String(repeating: "9", count: 4301), base: 10) == nil)
        let wide = try #require(PythonInt(parsing: String(repeating: "f", count: 4000), base: 16))
        #expect(wide.decimalString == nil)
        #expect(PythonInt(parsing: String(repeating: "9", count: 4300), base: 10)?.decimalString?.count == 4300)
    }

    @Test func floorDivisionAndModulo() {
        #expect(floorDivide(7, 2) == 3)
        #expect(floorDivide(-7, 2) == -4)
        #expect(floorDivide(7, -2) == -4)
        #expect(floorModulo(-7, 4) == 1)
        #expect(floorModulo(7, -4) == -1)
        #expect(floorModulo(8, 4) == 0)
    }
}
