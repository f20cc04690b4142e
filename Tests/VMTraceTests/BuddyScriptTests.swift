import Testing
import VMSim
@testable import VMTrace

/// Runs a script and collects what it printed.
func runBuddy(_ text: String, verbose: Bool = false) throws(TraceError) -> (out: String, runner: BuddyScriptRunner) {
    nonisolated(unsafe) var out = ""
    let lines = try BuddyScript.parse(text, file: "t.txt")
    var runner = BuddyScriptRunner(file: "t.txt", verbose: verbose) { out += $0.text }
    try runner.run(lines)
    try runner.finish()
    return (out, runner)
}

/// The error a script stops with, as printed (`FILE:LINE: message`).
func buddyError(_ text: String) -> String? {
    do {
        _ = try runBuddy(text)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct BuddyScriptParseTests {
    @Test func parsesEveryCommand() throws {
        let lines = try BuddyScript.parse("""
            # a comment
            memory 256M
            cpus 2          # trailing comment
            pcp off
            max-order 11
            min_free_kbytes 4096
            watermark_scale_factor 20
            alloc a 3
            alloc b 0 type=unmovable zone=Normal cpu=1
            free a
            kmalloc k1 100
            kfree k1
            kmem_cache_create inode 600 align=64 reclaimable
            kmem_cache_alloc i1 inode
            kmem_cache_free i1
            kmem_cache_shrink
            drain
            random 10000 seed=7 max-order=4
            show buddyinfo
            check
            """, file: "s")
        #expect(lines.count == 19)
        #expect(lines[0] == .init(number: 2, command: .memory(bytes: 256 << 20)))
        #expect(lines[7].command == .alloc(name: "b", order: 0, type: .unmovable, zone: .normal, cpu: 1))
        #expect(lines[11].command == .cacheCreate(name: "inode", bytes: 600, align: 64, reclaimable: true))
        #expect(lines[16].command == .random(count: 10000, seed: 7, maxOrder: 4))
        #expect(lines[17].command == .show(.buddyinfo))
    }

    /// Found by fuzzing (Fuzz/Harnesses/buddy-script.swift): "\r\n" is one Character, so a CRLF
    /// script was one line, and its first error quoted the next lines.
    @Test func readsCRLFScriptsLineByLine() throws {
        let lines = try BuddyScript.parse("memory 1G\r\nalloc a 1\r\n\r\nfree a\r\n", file: "s")
        #expect(lines == [.init(number: 1, command: .memory(bytes: 1 << 30)),
                          .init(number: 2, command: .alloc(name: "a", order: 1, type: .movable, zone: nil, cpu: 0)),
                          .init(number: 4, command: .free(name: "a", cpu: 0))])
        #expect(throws: TraceError(file: "s", location: .line(2), message: "memory size '1Q' is not a size (examples: 4096, 100, 16M, 1G)")) {
            try BuddyScript.parse("# header\r\nmemory 1Q\r\nalloc a 1\r\n", file: "s")
        }
    }

    @Test(arguments: [
        ("frobnicate 3", "s:1: unknown command 'frobnicate'"),
        ("memory 12Q", "s:1: memory size '12Q' is not a size"),
        ("alloc a x", "s:1: order 'x' is not a whole number"),
        ("alloc a -1", "s:1: order -1 is out of range"),
        ("alloc a 1 type=weird", "s:1: unknown type 'weird'"),
        ("alloc a 1 colour=red", "s:1: alloc has no option colour="),
        ("alloc a", "s:1: alloc takes a name and an order"),
        ("alloc 9a 1", "s:1: '9a' is not a name"),
        ("show everything", "s:1: cannot show 'everything'"),
        ("kmalloc k lots", "s:1: kmalloc size 'lots' is not a size"),
        ("zone HighMem 1G", "s:1: unknown zone 'HighMem'"),
        ("pcp maybe", "s:1: pcp takes on or off"),
        ("kmem_cache_create c 64 align=3", "s:1: align=3 is not a power of two"),
    ])
    func rejectsBadLines(line: String, prefix: String) {
        do {
            _ = try BuddyScript.parse("# header\n" + line, file: "s")
            Issue.record("accepted \(line)")
        } catch {
            let expected = prefix.replacingFirstLineNumber(with: 2)
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }
}

extension String {
    /// "s:1: ..." -> "s:N: ...".
    func replacingFirstLineNumber(with n: Int) -> String {
        guard let colon = firstIndex(of: ":") else { return self }
        let rest = self[index(after: colon)...]
        guard let second = rest.firstIndex(of: ":") else { return self }
        return String(self[..<colon]) + ":\(n)" + String(rest[second...])
    }
}

@Suite struct BuddyScriptRunnerTests {
    @Test func showPrintsTheKernelFiles() throws {
        let (out, _) = try runBuddy("""
            memory 16M
            pcp off
            alloc a 0
            show buddyinfo
            free a
            show buddyinfo
            """)
        #expect(out == """
            Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1      3 
            Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      4 

            """)
    }

    @Test func failedAllocationIsReportedAndTheScriptGoesOn() throws {
        // 4 MiB: min 64 (min_free_kbytes 256); an order-10 block would leave 1 free page.
        let (out, runner) = try runBuddy("""
            memory 4M
            alloc big 10
            free big
            show buddyinfo
            """)
        #expect(out == """
            line 2: alloc big: page allocation failure: order:10, migratetype:Movable; Normal: free 1024 pages <= min 64 + protection 0 + 1023 for order 10
            Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      1 

            """)
        #expect(runner.failures.count == 1)
    }

    @Test(arguments: [
        ("memory 16M\nfree ghost", "t.txt:2: free ghost: no allocation is named ghost"),
        ("memory 16M\nalloc a 1\nfree a\nfree a", "t.txt:4: a was already freed (line 3)"),
        ("memory 16M\nalloc a 11", "t.txt:2: order 11 is above the maximum order 10 (MAX_PAGE_ORDER)"),
        ("memory 16M\nmax-order 4\nalloc a 5", "t.txt:3: order 5 is above the maximum order 4 (MAX_PAGE_ORDER)"),
        ("memory 16M\nalloc a 1 zone=DMA", "t.txt:2: zone=DMA but the machine has no DMA zone (zones: Normal)"),
        ("memory 16M\nalloc a 1\ncpus 2", "t.txt:3: machine setup must come before the first operation (line 2 started the machine)"),
        ("memory 16M\nalloc a 1\nalloc a 2", "t.txt:3: a is already allocated; free it first or use another name"),
        ("memory 16M\nalloc a 1\nkfree a", "t.txt:3: a is a page block from alloc; free it with `free a`"),
        ("memory 16M\nkmalloc k 10\nfree k", "t.txt:3: k came from kmalloc or kmem_cache_alloc; free it with `kfree k`"),
        ("memory 1000", "t.txt:1: memory 1000 bytes is not a positive whole number of 4 KiB pages"),
        ("zone Normal 16M\nzone DMA 16M", "t.txt:2: zone DMA comes after Normal: give zones in the order DMA, DMA32, Normal, each once"),
        ("memory 16M\nzone DMA 16M", "t.txt:2: give either `memory SIZE` or `zone` lines, not both"),
        ("memory 16M\nalloc a 1 cpu=3", "t.txt:2: cpu=3 but the machine has 1 CPU(s) (0 to 0)"),
        ("memory 16M\nkmem_cache_alloc o nope", "t.txt:2: no slab cache named nope (create it with kmem_cache_create)"),
        ("memory 16M\nrandom 10 max-order=12", "t.txt:2: max-order=12 is above the maximum order 10 (MAX_PAGE_ORDER)"),
        ("memory 128G", "t.txt:1: memory is larger than VMSim simulates (at most 64G)"),
    ])
    func scriptMistakesStopWithFileAndLine(script: String, message: String) {
        #expect(buddyError(script) == message)
    }

    @Test func kmallocAndCaches() throws {
        let (out, runner) = try runBuddy("""
            memory 64M
            kmalloc a 100
            kmalloc b 100
            kmalloc z 0
            kmalloc huge 5M
            kmem_cache_create thing 200 align=64
            kmem_cache_alloc t1 thing
            kfree a
            kfree z
            kfree huge
            kmem_cache_free t1
            show slabinfo
            """)
        // 5M > KMALLOC_MAX_SIZE (4 MiB): a failure line; kfree of NULL does nothing.
        #expect(out.hasPrefix("line 5: kmalloc huge: 5242880 bytes is above KMALLOC_MAX_SIZE (4194304 bytes)\nslabinfo - version: 2.1\n"))
        // thing: ALIGN(200, 64) = 256 bytes, 16 per order-0 slab; one empty slab kept (min_partial 5).
        #expect(out.contains("\nthing                  0     16    256   16    1 : tunables    0    0    0 : slabdata      1      1      0\n"))
        #expect(out.contains("\nkmalloc-128            1     32    128   32    1 : tunables    0    0    0 : slabdata      1      1      0\n"))
        #expect(runner.memory!.checkInvariants() == [])
    }

    @Test func randomIsReproducible() throws {
        let script = "memory 32M\ncpus 2\nrandom 5000 seed=3 max-order=5\nshow buddyinfo\nshow pagetypeinfo\ncheck\n"
        let first = try runBuddy(script).out
        let second = try runBuddy(script).out
        #expect(first == second)
        #expect(first.hasPrefix("random: 5000 operations: "))
        #expect(first.hasSuffix(" allocated)\n") && first.contains("check: ok"))
        let other = try runBuddy(script.replacing("seed=3", with: "seed=4")).out
        #expect(other != first)
    }

    @Test func verboseTracesEveryOperation() throws {
        let (out, _) = try runBuddy("memory 16M\npcp off\nalloc a 2\nfree a\n", verbose: true)
        #expect(out == "alloc a: order 2 at pfn 0 (zone Normal, Movable pageblock)\nfree a: order 2 at pfn 0\n")
    }

    @Test func sysctlsApplyAtAnyTime() throws {
        let (out, _) = try runBuddy("memory 256M\nalloc a 0\nwatermark_scale_factor 100\nshow zoneinfo\n")
        // step = max(128, 655) = 655.
        #expect(out.contains("\n        min      512\n        low      1167\n        high     1822\n        promo    2477\n"))
    }
}
