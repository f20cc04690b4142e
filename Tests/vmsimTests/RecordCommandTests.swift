import Foundation
import Testing

/// `vmsim record` and the replay of its folder (`vmsim run FOLDER`): a C program with known memory
/// steps (Tests/Programs/memory-steps.c), compiled here, recorded under Valgrind for real.
@Suite(.serialized) struct RecordCommandTests {
    static let source = repositoryRoot.appendingPathComponent("Tests/Programs/memory-steps.c").path

    /// The program, built once (-O0, so that its mallocs are not optimised away).
    static let program: String = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-memory-steps-\(getpid())").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-O0", "-o", out, source]
        try? cc.run()
        cc.waitUntilExit()
        return out
    }()

    /// Records `memory-steps N` into a fresh folder and returns the folder and the replay's JSON.
    func record(_ n: Int, heap: Bool = true) throws -> (dir: String, record: CLIResult, json: [String: Any]) {
        let scratch = Scratch()
        let dir = scratch.url.appendingPathComponent("ms.rec").path
        let rec = try vmsim(["record", "--out", dir] + (heap ? [] : ["--no-heap"]) + ["--", Self.program, String(n), Self.source])
        let run = try vmsim(["run", dir, "--json"])
        let json = (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8))) as? [String: Any] ?? [:]
        return (dir, rec, json)
    }

    func processes(_ json: [String: Any]) -> [[String: Any]] {
        ((json["recording"] as? [String: Any])?["processes"] as? [[String: Any]]) ?? []
    }

    @Test func pagesTouchedAreFaultsTakenAndMappingsAreWhereTheProgramGotThem() throws {
        let zero = try record(0, heap: false), hundred = try record(100)
        defer { for d in [zero.dir, hundred.dir] { try? FileManager.default.removeItem(atPath: (d as NSString).deletingLastPathComponent) } }
        #expect(zero.record.status == 0 && hundred.record.status == 0, "\(hundred.record.stderr)")
        // The program's output passes through from the native run.
        #expect(hundred.record.stdout.hasPrefix("mapping 0x"))
        #expect(hundred.record.stderr.contains("vmsim run \(hundred.dir)"))
        let p0 = processes(zero.json), p100 = processes(hundred.json)
        try #require(p0.count == 2 && p100.count == 2, "the parent and its forked child")
        // 100 more pages written, 100 more minor faults (4K pages, THP off for this mapping), nothing else different.
        let faults0 = p0[0]["minorFaults"] as! Int, faults100 = p100[0]["minorFaults"] as! Int
        #expect(faults100 - faults0 == 100)
        // The 4M mapping is where the recorded mmap put it: the address the program printed under Valgrind.
        let printed = try String(contentsOfFile: hundred.dir + "/program-output.txt", encoding: .utf8)
        let words = printed.split(separator: " ")
        try #require(words.count == 3 && words[0] == "mapping")
        let largest = (p100[0]["largestAtPeak"] as! [[String: Any]])[0]
        #expect(largest["start"] as? String == String(words[1]))
        let start = UInt64((largest["start"] as! String).dropFirst(2), radix: 16)!, end = UInt64((largest["end"] as! String).dropFirst(2), radix: 16)!
        #expect(end - start == UInt64(words[2].trimmingCharacters(in: .whitespacesAndNewlines))!)
        #expect(largest["perms"] as? String == "rwxp")
        // The child exited 0, the parent 0; the calls the program made were replayed.
        #expect(p100[0]["exitStatus"] as? Int == 0 && p100[1]["exitStatus"] as? Int == 0)
        let rec = hundred.json["recording"] as! [String: Any]
        let calls = rec["syscalls"] as! [String: Int]
        for name in ["sys_mmap", "sys_munmap", "sys_brk", "sys_clone", "sys_wait4", "sys_openat", "exit_group"] {
            #expect((calls[name] ?? 0) > 0, "\(name) replayed")
        }
        #expect(rec["diverged"] as? Int == 0)
        // The file mapped through the page cache, its size from the manifest.
        #expect((rec["pageCachePages"] as! Int) > 0)
        let manifest = try String(contentsOfFile: hundred.dir + "/recording.txt", encoding: .utf8)
        let size = try FileManager.default.attributesOfItem(atPath: Self.source)[.size] as! Int
        #expect(manifest.contains("file \(Self.source) \(size)\n"))
        // The native run was measured.
        let native = rec["native"] as! [String: Any]
        #expect((native["minorFaults"] as! Int) > 0 && (native["maxRSSKiB"] as! Int) > 0)
        // The heap log through best fit: exactly memcheck's HEAP SUMMARY (the root process).
        let heap = p100[0]["heap"] as! [String: Any], mc = heap["memcheck"] as! [String: Any]
        for key in ["allocs", "frees", "bytesAllocated", "inUseAtExitBytes", "inUseAtExitBlocks"] {
            #expect(heap[key] as? Int == mc[key] as? Int, "\(key)")
        }
        // The program's malloc(100), malloc(5000), malloc(200000) and the stdout buffer; 5000 left allocated.
        #expect(mc["allocs"] as? Int == 4 && mc["inUseAtExitBytes"] as? Int == 5000)
    }

    @Test func aForkedChildThatExecsIsFollowedWithChildren() throws {
        let scratch = Scratch()
        defer { scratch.cleanup() }
        let src = scratch.file("fork-exec.c", """
            #include <stdlib.h>
            #include <sys/wait.h>
            #include <unistd.h>
            int main(void) {
                pid_t p = fork();
                if (p == 0) { char *x = malloc(100); x[0] = 1; execl("/bin/true", "true", (char *)0); _exit(1); }
                waitpid(p, 0, 0);
                return 0;
            }
            """)
        let exe = scratch.url.appendingPathComponent("fork-exec").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-O0", "-o", exe, src]
        try cc.run()
        cc.waitUntilExit()
        let dir = scratch.url.appendingPathComponent("fe.rec").path
        let rec = try vmsim(["record", "--children", "--out", dir, "--", exe])
        #expect(rec.status == 0, "\(rec.stderr)")
        let manifest = try String(contentsOfFile: dir + "/recording.txt", encoding: .utf8)
        // The child: its log up to the execve, then /bin/true's log of the same pid.
        let child = try #require(manifest.split(separator: "\n").first { $0.hasPrefix("child ") })
        #expect(child.split(separator: " ").count == 6)
        let run = try vmsim(["run", dir, "--json"])
        let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as! [String: Any]
        let p = processes(json)
        try #require(p.count == 2)
        #expect((p[1]["logs"] as! [String]).count == 2)
        #expect(p[0]["exitStatus"] as? Int == 0 && p[1]["exitStatus"] as? Int == 0)
        let rec2 = json["recording"] as! [String: Any]
        #expect((rec2["syscalls"] as! [String: Int])["sys_execve"] == 1)
        #expect(rec2["diverged"] as? Int == 0)
        #expect((rec2["truncated"] as! [String]).isEmpty)
    }

    @Test func aProgramThatDoesNotExistLeavesNothing() throws {
        let scratch = Scratch()
        defer { scratch.cleanup() }
        let dir = scratch.url.appendingPathComponent("x.rec").path
        let r = try vmsim(["record", "--out", dir, "--", "/no/such/program"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/no/such/program: no such program"))
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).isEmpty)
    }

    @Test func valgrindMissingSaysHowToInstallIt() throws {
        let scratch = Scratch()
        defer { scratch.cleanup() }
        let dir = scratch.url.appendingPathComponent("x.rec").path
        // A PATH with no valgrind on it; the program is named by its full path.
        let r = try vmsim(["record", "--out", dir, "--", "/bin/true"], environment: ["PATH": scratch.url.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("valgrind is not installed; install it (Debian, Ubuntu: sudo apt-get install valgrind)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func anExistingOrUnwritableFolderIsRefused() throws {
        let scratch = Scratch()
        defer { scratch.cleanup() }
        let r = try vmsim(["record", "--out", scratch.url.path, "--", "/bin/true"])
        #expect(r.status == 2 && r.stderr.contains("exists already"))
        let r2 = try vmsim(["record", "--out", "/proc/vmsim-cannot-write/x.rec", "--", "/bin/true"])
        #expect(r2.status == 2 && r2.stderr.contains("cannot write the recording folder"))
    }

    @Test func aMissingOrCutLogIsNamed() throws {
        let r = try record(3, heap: false)
        defer { try? FileManager.default.removeItem(atPath: (r.dir as NSString).deletingLastPathComponent) }
        let logs = try FileManager.default.contentsOfDirectory(atPath: r.dir).filter { $0.hasPrefix("lackey.") }.sorted()
        try #require(!logs.isEmpty)
        // Cut the parent's log in the middle of a line: the replay says where and keeps what came before.
        let parentLog = r.dir + "/" + logs[0]
        let data = try Data(contentsOf: URL(fileURLWithPath: parentLog))
        let cut = data.prefix(data.count / 2)
        let lastNewline = cut.lastIndex(of: 0x0a)!
        try cut.prefix(lastNewline + 5).write(to: URL(fileURLWithPath: parentLog))
        let run = try vmsim(["run", r.dir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Truncated: \(logs[0]): cut at line"))
        // A log the manifest names, missing.
        try FileManager.default.removeItem(atPath: parentLog)
        let missing = try vmsim(["run", r.dir])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("the log \(logs[0]) it names is missing"))
    }
}
