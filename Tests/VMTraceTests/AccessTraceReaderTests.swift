import Foundation
import Testing
import VMSim
@testable import VMTrace

@Suite("Lackey")
struct LackeyTests {
    @Test func parsesRecordsAndSkipsValgrindLines() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.lackey", """
            ==7377== Lackey, an example Valgrind tool
            ==7377== 
            I  0401ab70,3
             S 1fff000668,8
             L 04225f10,8
             M 04225f18,4

            ==7377== Exit code:       0

            """)
        let a = try readAll(path)
        #expect(a.map(\.page) == [0x401a, 0x1fff000, 0x4225, 0x4225, 0x4225])
        #expect(a.map(\.kind) == [.instruction, .store, .load, .load, .store])
    }

    @Test func anAccessTouchesEveryPageItOverlaps() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.lackey", "I  00000ffe,4\n L 00001ffc,4\n M 00002fff,2\n S 00004000,0\n")
        let a = try readAll(path, AccessTraceOptions(format: .lackey))
        #expect(a.map(\.page) == [0, 1, 1, 2, 3, 2, 3, 4])
        #expect(a.map(\.kind) == [.instruction, .instruction, .load, .load, .load, .store, .store, .store])
        let big = try readAll(path, AccessTraceOptions(format: .lackey, pageSize: PageSize(parsing: "2M")!))
        #expect(big.map(\.page) == [0, 0, 0, 0, 0])
    }

    @Test(arguments: [
        ("X  0401ab70,3", 2, "expected a Lackey record"),
        (" L zz,8", 2, "expected a hex address"),
        (" L 1234", 2, "expected ',SIZE'"),
        (" L 1234,", 2, "expected a decimal size"),
        (" L 1234,8 9", 2, "unexpected text after the size"),
        (" L 1234,999999999", 2, "larger than any Lackey record"),
        (" L ffffffffffffffff,8", 2, "past the top"),
        (" L 1ffffffffffffffff,8", 2, "expected a hex address of at most 64 bits"),
        ("=5", 2, "expected a Lackey record"),
    ])
    func malformedLinesNameTheirLine(line: String, number: Int, message: String) {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.lackey", "I  0401ab70,3\n\(line)\n L 1234,8\n")
        let error = readError(path)
        #expect(error?.location == .line(number))
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("\(path):\(number): ") == true)
    }

    /// The Lackey trace of /bin/true (Valgrind 3.19): the fast reader against a plain String-based
    /// parse of the same file, and against counts computed independently with a Python script
    /// (168,971 references, 11,769 stores, 138 distinct 4K pages, 133 page-crossing accesses).
    @Test func realTraceMatchesAStraightforwardParse() throws {
        let path = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("workloads/true.lackey.gz").path
        let fast = try readAll(path)
        #expect(fast.count == 168_971)
        #expect(fast.filter { $0.kind == .store }.count == 11_769)
        #expect(Set(fast.map(\.page)).count == 138)

        let s = Scratch(); defer { s.cleanup() }
        shell("gzip -dc '\(path)' > '\(s.url.path)/true.lackey'")
        let text = try String(contentsOfFile: s.url.path + "/true.lackey", encoding: .utf8)
        var slow: [PageAccess] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("==") {
            let kind = line.trimmingCharacters(in: .whitespaces).prefix(1)
            let fields = line.dropFirst(2).trimmingCharacters(in: .whitespaces).split(separator: ",")
            let address = UInt64(fields[0], radix: 16)!, size = UInt64(fields[1])!
            let pages = (address >> 12)...((address + max(size, 1) - 1) >> 12)
            switch kind {
            case "I": slow += pages.map { PageAccess(page: $0, kind: .instruction) }
            case "L": slow += pages.map { PageAccess(page: $0, kind: .load) }
            case "S": slow += pages.map { PageAccess(page: $0, kind: .store) }
            default: slow += pages.map { PageAccess(page: $0, kind: .load) } + pages.map { PageAccess(page: $0, kind: .store) }
            }
        }
        #expect(fast == slow)
    }
}

@Suite("Plain, din and oracleGeneral")
struct OtherFormatTests {
    @Test func plainReadsDecimalHexCommentsAndCRLF() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("p.txt", "# a comment\n1\n\n  0x10  \r\n42 # inline\n18446744073709551615\n7")
        #expect(try readAll(path, .init(format: .plain)).map(\.page) == [1, 16, 42, .max, 7])
    }

    /// Found by fuzzing (Fuzz/Harnesses): the CR of a bad CRLF line was quoted, so a terminal
    /// printed the closing quote over the start of the message.
    @Test func errorsQuoteCRLFLinesWithoutTheirCR() {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("p.txt", "1\r\n2x\r\r\n")
        #expect(readError(path, .init(format: .plain))?.message == "expected one page number on the line, got '2x'")
        let lackey = s.file("l.lackey", "I  0400,2\r\nQ 0400,2\r\n")
        #expect(readError(lackey, .init(format: .lackey))?.description
            == "\(lackey):2: expected a Lackey record (I, L, S or M, then ADDR,SIZE) or a ==PID== line, got 'Q 0400,2'")
    }

    @Test(arguments: [
        ("12abc", "expected one page number"),
        ("1 2", "expected one page number"),
        ("-5", "expected a page number"),
        ("18446744073709551616", "expected a page number"),
        ("0x", "expected a page number"),
    ])
    func plainRejectsNonNumbers(line: String, message: String) {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("p.txt", "1\n2\n\(line)\n")
        let error = readError(path, .init(format: .plain))
        #expect(error?.location == .line(3))
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
    }

    @Test func dinReadsLabelsAndSkipsEscapesAndFlushes() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.din", "0 1000\n1 0x2fff extra fields\n2 3000\n3 0\n4 0\n0\tABCDEF12\n")
        let a = try readAll(path)
        #expect(a.map(\.page) == [1, 2, 3, 0xABCDE])
        #expect(a.map(\.kind) == [.load, .store, .instruction, .load])
    }

    @Test(arguments: ["5 1000", "0 xyz", "01000", "0 12g4"])
    func dinRejectsMalformedLines(line: String) {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.din", "0 1000\n\(line)\n")
        let error = readError(path, .init(format: .din))
        #expect(error?.location == .line(2), "\(line): \(String(describing: error))")
    }

    @Test func oracleGeneralCarriesIdsAndNextUse() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.oracleGeneral", oracleRecords([(5, 3), (9, -1), (7, Int64.max), (5, -1)]))
        let a = try readAll(path)
        #expect(a.map(\.page) == [5, 9, 7, 5])
        #expect(a.map(\.nextUse) == [3, PageAccess.never, PageAccess.never, PageAccess.never])
    }

    @Test func truncatedBinaryRecordNamesItsByteOffset() {
        let s = Scratch(); defer { s.cleanup() }
        let data = oracleRecords([(1, -1), (2, -1), (3, -1)]).dropLast(10)
        let path = s.file("t.oracleGeneral", Data(data))
        let error = readError(path)
        #expect(error?.location == .byte(48))
        #expect(error?.message.contains("truncated oracleGeneral record: 14 of 24 bytes") == true)
        #expect(error?.description == "\(path): byte 48: truncated oracleGeneral record: 14 of 24 bytes")
    }

    @Test func backwardNextUseIsRejectedWhenOPTWillTrustIt() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("t.oracleGeneral", oracleRecords([(5, 2), (6, 0), (5, -1)]))
        #expect(try readAll(path).map(\.nextUse) == [2, PageAccess.unknown, PageAccess.never])
        let error = readError(path, .init(validateNextUse: true))
        #expect(error?.location == .byte(24))
    }
}

@Suite("Opening, detection and streaming")
struct OpeningTests {
    @Test func detectsEachFormatFromContent() throws {
        let s = Scratch(); defer { s.cleanup() }
        let cases: [(String, Data, TraceFormat)] = [
            ("a", Data("==1== Lackey\nI  0401ab70,3\n".utf8), .lackey),
            ("b", Data(" L 04225f10,8\n".utf8), .lackey),
            ("c", Data("# pages\n12\n0x13\n".utf8), .plain),
            ("d", Data("0 7fff0000\n1 7fff0008\n".utf8), .din),
            ("e", oracleRecords([(1, -1)]), .oracleGeneral),
        ]
        for (name, data, format) in cases {
            let reader = try AccessTrace.open(s.file(name, data))
            #expect(reader.format == format, "\(name)")
        }
    }

    @Test func undetectableAndEmptyTracesSaySo() {
        let s = Scratch(); defer { s.cleanup() }
        let odd = readError(s.file("odd", "hello world again\n"))
        // The reader names the formats to choose from, not a front end's flag.
        #expect(odd?.message.contains("name the format (lackey, plain, oracle-general, din)") == true)
        let empty = readError(s.file("empty", ""))
        #expect(empty?.message == "the trace is empty")
    }

    @Test func missingFilesAndDirectoriesAreClearErrors() {
        let s = Scratch(); defer { s.cleanup() }
        #expect(readError(s.url.path + "/nope")?.message.contains("cannot open: No such file or directory") == true)
        #expect(readError(s.url.path)?.message.contains("is a directory") == true)
    }

    @Test func readsTracesLargerThanTheInputWindow() throws {
        // About 3 MiB of text: lines straddle the 1 MiB window many times, and batches fill up.
        let s = Scratch(); defer { s.cleanup() }
        var text = ""
        for i in 0..<400_000 { text += "0x\(String(i * 7919, radix: 16))\n" }
        let a = try readAll(s.file("big.txt", text), .init(format: .plain, batchSize: 1000))
        #expect(a.count == 400_000)
        #expect(a.enumerated().allSatisfy { $0.element.page == UInt64($0.offset * 7919) })
    }

    @Test func aLineLongerThanTheWindowIsAnError() {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("long.txt", "1\n" + String(repeating: "9", count: 1 << 21) + "\n")
        let error = readError(path, .init(format: .plain))
        #expect(error?.location == .line(2))
        #expect(error?.message.contains("longer than") == true)
    }

    @Test func decompressesGzipAndZstdThroughChildProcesses() throws {
        let s = Scratch(); defer { s.cleanup() }
        let plain = s.file("t.din", (0..<5000).map { "\($0 % 3) \(String($0 * 4096, radix: 16))" }.joined(separator: "\n"))
        let expected = try readAll(plain)
        #expect(expected.count == 5000)
        #expect(shell("gzip -k '\(plain)'") == 0)
        #expect(try readAll(plain + ".gz") == expected)
        // Detected by the magic number as well as by the name.
        #expect(shell("cp '\(plain).gz' '\(s.url.path)/renamed'") == 0)
        #expect(try readAll(s.url.path + "/renamed", .init(format: .din)) == expected)
        if shell("command -v zstd >/dev/null") == 0 {
            #expect(shell("zstd -q '\(plain)' -o '\(plain).zst'") == 0)
            #expect(try readAll(plain + ".zst") == expected)
        } else {
            // Without the program, the message names the Debian package that provides it.
            _ = s.file("t.din.zst", "not really zstd")
            #expect(readError(plain + ".zst")?.message.contains("Debian package 'zstd'") == true)
        }
    }

    @Test func corruptCompressedFilesAreReported() {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.gz", "this is not gzip data at all")
        let error = readError(path, .init(format: .plain))
        #expect(error?.message.contains("gzip failed to decompress the file") == true, "\(String(describing: error))")
    }
}
