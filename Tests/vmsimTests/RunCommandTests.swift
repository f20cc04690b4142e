import Foundation
import Testing

/// `vmsim run`: mistakes in a workload are `FILE:LINE:` errors with exit status 2; what happens
/// inside the simulation is a result.
@Suite("vmsim run")
struct RunCommandTests {
    static let bad: [(String, String)] = [
        ("A mmap heap 4K rw private anon", "<stdin>:1: unknown command or process 'A'"),
        ("process A\nA mmap heap 4Q rw private anon", "<stdin>:2: size '4Q' is not a size"),
        ("process A\nA mmap heap 4K rwz private anon", "<stdin>:2: 'rwz' is not a protection"),
        ("process A\nA touch heap 0 4K write", "<stdin>:2: A has no mapping 'heap'"),
        ("process A\nA mmap heap 8K rw private anon\nA touch heap 4K 8K write", "<stdin>:3: offset 4K + length 8K is past the end of 'heap' (8K)"),
        ("process A\nA exit\nA mmap heap 4K rw private anon", "<stdin>:3: process A has exited"),
        ("machine memory=512K", "<stdin>:1: memory=512K: give a multiple of 4K from 1M"),
        ("machine swappiness=300", "<stdin>:1: swappiness=300: give 0 to 200"),
        ("process A\nA read heap", "<stdin>:2: read needs NAME OFFSET"),
        ("process A\nprocess A", "<stdin>:2: process A exists already"),
        ("process A\nshow A smaps", "<stdin>:2: cannot show 'smaps' of a process"),
        ("process A\nA jump heap", "<stdin>:2: unknown command 'jump'"),
        ("machine lru=clock", "<stdin>:1: lru=clock: give 2list or mglru"),
        ("process A\nshow lru_gen", "<stdin>:2: show lru_gen: this machine runs the two-list LRU; give machine lru=mglru"),
    ]

    /// Several workloads run side by side on the host's cores: the same bytes as running them one
    /// by one, in the order given, whatever the number of workers.
    @Test func severalWorkloadsRunInParallelWithTheSameOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-run-par-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, lru) in ["2list", "mglru", "2list"].enumerated() {
            let url = dir.appendingPathComponent("w\(i).vms")
            try "machine memory=4M swap=8M lru=\(lru) cpus=\(i + 1)\nprocess A threads=\(i + 1)\nA mmap m 8M rw private anon\nA touch m 0 8M write\nA touch m 0 8M read\n"
                .write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let one = try paths.map { try runVMSim(["run", $0]).out }.joined(separator: "\n")
        let parallel = try runVMSim(["run"] + paths)
        let serial = try runVMSim(["run", "--jobs", "1"] + paths)
        #expect(parallel.status == 0)
        #expect(parallel.out == one)
        #expect(serial.out == one)
        let j = try runVMSim(["run", "--json"] + paths)
        #expect(j.out.contains("\"runs\": ["))
        #expect(try runVMSim(["run", "--swap-file", dir.appendingPathComponent("s").path] + paths).status != 0)
    }

    /// `machine lru=mglru`: the report names it and `show lru_gen` prints the generations (a page
    /// written is in max_seq - 1, generation 2 of the initial window 0...3).
    @Test func theMultiGenLRUShowsItsGenerations() throws {
        let r = try runVMSim(["run", "-"], input: "machine memory=8M lru=mglru\nprocess A\nA mmap m 8K rw private anon\nA touch m 0 8K write\nshow lru_gen\n")
        #expect(r.status == 0)
        #expect(r.out.contains("memcg     0 /\n node     0\n          0          0          0\n          1          0          0\n          2          2          0  active\n"), "\(r.out)")
        #expect(r.out.contains("swappiness 60, multi-gen LRU"))
        let j = try runVMSim(["run", "-", "--json"], input: "machine lru=mglru\nprocess A\n")
        #expect(j.out.contains(#""lru": "mglru""#) || j.out.contains(#""lru":"mglru""#), "\(j.out)")
    }

    @Test(arguments: bad)
    func mistakesNameTheLine(script: String, message: String) throws {
        let r = try runVMSim(["run", "-"], input: script)
        #expect(r.status == 2)
        #expect(r.err.contains(message), "\(r.err)")
    }

    @Test func aSwapFileThatCannotBeCreatedIsAnError() throws {
        let r = try runVMSim(["run", "-", "--swap-file", "/nonexistent/dir/swap"], input: "machine swap=1M\nprocess A\n")
        #expect(r.status == 2)
        #expect(r.err.contains("/nonexistent/dir/swap: cannot create the swap file"))
    }

    @Test func segfaultsENOMEMAndOOMKillsAreResults() throws {
        let script = """
            machine memory=8M
            process A
            A mmap ro 4K r private anon
            A write ro 0
            process B
            B mmap huge 200T rw private anon
            B access 0x10 read
            process C
            C mmap big 16M rw private anon
            C touch big 0 16M write
            """
        let r = try runVMSim(["run", "-", "--json"], input: script)
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        let processes = json["processes"] as! [[String: Any]]
        #expect(processes[0]["state"] as? String == "killed")
        #expect(processes[0]["signalCode"] as? String == "SEGV_ACCERR")
        #expect(processes[1]["signalCode"] as? String == "SEGV_MAPERR")
        #expect(processes[2]["signal"] as? String == "SIGKILL")
        let vmstat = json["vmstat"] as! [String: Int]
        #expect(vmstat["oom_kill"] == 1)
        let faults = processes.reduce(0) { $0 + ($1["minorFaults"] as! Int) + ($1["majorFaults"] as! Int) }
        // The fault that ended in the OOM kill counts in pgfault only (mm_account_fault).
        #expect(vmstat["pgfault"] == faults + 1)
        #expect((json["integrity"] as! [String: Int])["mismatches"] == 0)
        let events = (json["events"] as! [[String: Any]]).map { $0["text"] as! String }
        #expect(events.contains { $0.contains("ENOMEM") || $0.contains("EINVAL") })
    }
}
