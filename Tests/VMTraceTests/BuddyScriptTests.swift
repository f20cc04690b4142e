import Testing
import VMSim
@testable import VMTrace

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

