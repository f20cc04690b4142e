import Foundation
import Testing

@Suite("vmsim translate")
struct TranslateCommandTests {
    // The hand-computed x86-64 example of RadixPageTableTests: indices 1, 2, 3, 4, entries at
    // 0x100008 ... 0x103020, leaf 0x8000000123456007, physical 0x123456567.
    @Test func explainsEveryStepOfAnX86_64Walk() throws {
        let r = try vmsim(["translate", "--arch", "x86-64", "--map", "0x80_8060_4000=0x1_2345_6000", "--explain", "0x8080604567"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("PGD (PML4) index    1"))
        #expect(r.stdout.contains("entry @ 0x103020 = 0x8000000123456007  P RW US NX"))
        #expect(r.stdout.contains("walk sets A: 0x8000000123456027"))
        #expect(r.stdout.contains("physical address = 0x123456000 + offset 0x567 = 0x123456567 (4K page)"))
        #expect(r.stdout.contains("memory references: 4"))
    }

    @Test func explainJSONCarriesTheSteps() throws {
        let r = try vmsim(["translate", "--arch", "sv39", "--map", "0x80605000=0x87654000:rwu", "--explain", "0x80605678",
                           "--access", "write", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(o["mode"] as? String == "explain")
        let t = (o["translations"] as! [[String: Any]])[0]
        #expect(t["physical"] as? String == "0x87654678")
        let steps = t["steps"] as! [[String: Any]]
        #expect(steps.map { $0["index"] as! Int } == [2, 3, 5])
        #expect(steps[2]["entry"] as? String == "0x21d95017")
        #expect(steps[2]["updated"] as? String == "0x21d950d7")
        #expect(t["fault"] is NSNull)
    }

    @Test func faultsAreExplainedNotErrors() throws {
        let r = try vmsim(["translate", "--map", "0x1000=0x5000:ru", "--explain", "0x1008", "--explain", "0x800000000000",
                           "--explain", "0x9000", "--access", "write"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("protection: the page does not allow write; page fault #PF, error code 0x7"))
        #expect(r.stdout.contains("0x800000000000 is not canonical"))
        #expect(r.stdout.contains("#GP(0)"))
        #expect(r.stdout.contains("the PTE entry has its present (P) bit clear"))
        let narrow = try vmsim(["translate", "--arch", "x86-32", "--explain", "0x100000000"])
        #expect(narrow.status == 0)
        #expect(narrow.stdout.contains("beyond x86-32's 32-bit virtual address space"))
    }

    @Test(arguments: [
        (["--map", "0x1000=0x5000", "--map", "0x1000=0x6000", "--explain", "0x1000"], "overlaps the existing mapping 0x1000 -> 0x5000"),
        (["--map", "0x201000=0x40000000:2M", "--explain", "0x1000"], "needs both addresses aligned to 2M"),
        (["--map", "0x1000=zz", "--explain", "0x1000"], "is not a physical address"),
        (["--map", "0x800000000000=0x1000", "--explain", "0x1000"], "outside x86-64's 48-bit address space"),
        (["--arch", "x86-32", "--map", "0x1000=0x100000000", "--explain", "0x1000"], "does not fit x86-32's 32-bit physical"),
        (["--explain", "0xfffffffffffffffff"], "is not an address"),
        (["--arch", "vax", "--explain", "0"], "--arch 'vax' is not a page-table format"),
        (["--tlb", "l1d=48x4", "--explain", "0"], "the set count must be a power of two"),
        (["--levels", "10,x", "--explain", "0"], "--levels takes index bits"),
        (["--huge", "4M", "--explain", "0"], "x86-64 cannot map 4M pages"),
        ([String](), "give a TRACE to run, or --explain"),
    ])
    func badArgumentsAreUsageErrors(arguments: [String], message: String) throws {
        let r = try vmsim(["translate"] + arguments)
        #expect(r.status == 64, "\(r.stdout)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func badMappingFilesAreInputErrors() throws {
        let s = Scratch(); defer { s.cleanup() }
        let malformed = s.file("bad.map", "0x1000=0x5000\n\n0x2000 oops\n")
        var r = try vmsim(["translate", "--mappings", malformed, "--explain", "0x1000"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(malformed):3: 'oops' is not a physical address"))
        let overlap = s.file("overlap.map", "0x200000=0x40000000:2M\n0x201000=0x5000\n")
        r = try vmsim(["translate", "--mappings", overlap, "--explain", "0x1000"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(overlap):2: 0x201000=0x5000: overlaps the existing mapping 0x200000 -> 0x40000000 (2M"))
        r = try vmsim(["translate", "--mappings", s.url.appendingPathComponent("missing").path, "--explain", "0"])
        #expect(r.status == 2 && r.stderr.contains("cannot open"))
    }

    /// Distinct pages of a Lackey trace, computed here from the text, independently of VMSim.
    func distinctPages(_ text: String, shift: UInt64) -> Int {
        var pages = Set<UInt64>()
        for line in text.split(separator: "\n") where !line.hasPrefix("==") {
            let fields = line.split(separator: " ").last!.split(separator: ",")
            let a = UInt64(fields[0], radix: 16)!, n = UInt64(fields[1])!
            for p in (a >> shift)...((a + max(n, 1) - 1) >> shift) { pages.insert(p) }
        }
        return pages.count
    }

    @Test func runsARealValgrindTrace() throws {
        let fixture = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc '\(fixture)'"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        for (huge, shift) in [(nil, UInt64(12)), ("2M", UInt64(21))] as [(String?, UInt64)] {
            let r = try vmsim(["translate", fixture, "--json"] + (huge.map { ["--huge", $0] } ?? []))
            #expect(r.status == 0, "\(r.stderr)")
            let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
            // Every distinct page faults once (first touch) and is mapped.
            #expect(o["pageFaults"] as? Int == distinctPages(text, shift: shift))
            let trace = o["trace"] as! [String: Any]
            #expect(trace["accesses"] as? Int == text.split(separator: "\n").filter { !$0.hasPrefix("==") }.count)
            let tlb = o["tlb"] as! [[String: Any]]
            #expect(tlb.map { $0["name"] as! String } == ["l1i", "l1d", "l2"])
            let l2 = tlb[2]
            // Walks = STLB misses + dirty assists.
            #expect(o["walks"] as? Int == (l2["misses"] as! Int) + (o["dirtyAssists"] as! Int))
            #expect((o["referencesPerWalk"] as! Double) >= 1)
        }
    }

    @Test func emitsAPhysicalTraceThatKeepsOffsets() throws {
        let s = Scratch(); defer { s.cleanup() }
        let input = "==1== x\nI  00401ab0,3\n L 7ff000010,8\n S 00401ff8,16\n M 7ff000018,4\n L 00401ab8,2\n"
        let path = s.file("t.lackey", input)
        let out = s.url.appendingPathComponent("phys.lackey").path
        let r = try vmsim(["translate", path, "--emit-physical", out])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        // The store at 0x401ff8 (16 bytes) straddles a page: it becomes two 8-byte pieces.
        #expect(lines.count == 6)
        func parse(_ l: String) -> (String, UInt64, UInt64) {
            let kind = l.hasPrefix("I") ? "I" : String(l.dropFirst().prefix(1))
            let f = l.split(separator: " ").last!.split(separator: ",")
            return (kind, UInt64(f[0], radix: 16)!, UInt64(f[1])!)
        }
        let p = lines.map(parse)
        #expect(p.map(\.0) == ["I", "L", "S", "S", "M", "L"])
        #expect(p.map { $0.1 & 0xfff } == [0xab0, 0x010, 0xff8, 0x000, 0x018, 0xab8])
        #expect(p.map(\.2) == [3, 8, 8, 8, 4, 2])
        // Same virtual page, same frame: the first and last lines share their page.
        #expect(p[0].1 >> 12 == p[5].1 >> 12 && p[0].1 >> 12 == p[2].1 >> 12)
        #expect(p[1].1 >> 12 == p[4].1 >> 12)
    }

    @Test func malformedTracesAreInputErrors() throws {
        let s = Scratch(); defer { s.cleanup() }
        let path = s.file("bad.lackey", "I  00401ab0,3\n L nothex,8\n")
        let r = try vmsim(["translate", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(path):2: expected a hex address"))
        let hashed = try vmsim(["translate", path, "--table", "hashed", "--huge", "2M"])
        #expect(hashed.status == 64 && hashed.stderr.contains("holds 4K pages only"))
    }
}

@Suite("vmsim translate --host-arch")
struct NestedTranslateCommandTests {
    /// The second walk of the page runs with the EPT populated by the first's violations and no
    /// TLB (explain mode): the cold cost of a 4-on-4 walk, 24 references; 35 for la57 on la57.
    @Test func explainsATwoDimensionalWalk() throws {
        let r = try vmsim(["translate", "--arch", "x86-64", "--host-arch", "x86-64", "--map", "0x7fff0000=0x40000000",
                           "--explain", "0x7fff0abc", "--explain", "0x7fff0abc"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("24 memory references in the walk that completed, after 5 EPT violations"))
        #expect(r.stdout.hasSuffix("  = gPA 0x40000abc, hPA 0x108abc\n  24 memory references\n"))
        let five = try vmsim(["translate", "--arch", "la57", "--host-arch", "la57", "--map", "0x7fff0000=0x40000000",
                              "--explain", "0x7fff0abc", "--explain", "0x7fff0abc", "--json"])
        let o = try JSONSerialization.jsonObject(with: Data(five.stdout.utf8)) as! [String: Any]
        #expect(o["mode"] as? String == "nested-explain")
        let walks = o["walks"] as! [[String: Any]]
        #expect(walks[1]["references"] as? Int == 35 && walks[0]["eptViolations"] as? Int == 6)
    }

    @Test func twoMegabyteHostPagesAndANestedTLB() throws {
        let r = try vmsim(["translate", "--arch", "x86-64", "--host-arch", "x86-64", "--host-pages", "2M",
                           "--map", "0x7fff0000=0x40000000", "--explain", "0x7fff0abc", "--explain", "0x7fff0abc"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("after 2 EPT violations"))
        #expect(r.stdout.hasSuffix("  19 memory references\n"))
        // With a nested TLB the restarted walk already finds the table pages' translations (4 guest
        // entries + 3 host entries for the data page), and the next walk only the 4 guest entries.
        let n = try vmsim(["translate", "--arch", "x86-64", "--host-arch", "x86-64", "--host-pages", "2M", "--nested-tlb", "8",
                           "--map", "0x7fff0000=0x40000000", "--explain", "0x7fff0abc", "--explain", "0x7fff0abc"])
        #expect(n.stdout.contains("7 memory references in the walk that completed, after 2 EPT violations"))
        #expect(n.stdout.hasSuffix("  4 memory references\n"))
    }

    @Test(arguments: [
        (["--host-arch", "vax"], "--host-arch 'vax' is not a page-table format"),
        (["--host-arch", "sv39", "--host-pages", "4M"], "--host-pages 4M: sv39 maps"),
        (["--host-pages", "2M"], "--host-pages and --nested-tlb need --host-arch"),
        (["--host-arch", "x86-64", "--nested-tlb", "5000"], "--nested-tlb 5000: give 0 to 4096 entries"),
    ])
    func badNestedOptionsAreUsageErrors(extra: [String], message: String) throws {
        let r = try vmsim(["translate", "--arch", "x86-64", "--map", "0x7fff0000=0x40000000", "--explain", "0x7fff0abc"] + extra)
        #expect(r.status == 64, "\(r.stdout)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
