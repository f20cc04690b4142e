import Foundation
import Testing

/// `vmsim ARGS` with `input` on standard input, through the suite's shared runner.
func runVMSim(_ arguments: [String], input: String = "") throws -> (status: Int32, out: String, err: String) {
    let r = try vmsim(arguments, stdin: Data(input.utf8))
    return (r.status, r.stdout, r.stderr)
}

@Suite struct BuddyCommandTests {
    @Test func scriptFromStandardInput() throws {
        let r = try runVMSim(["buddy", "-"], input: "memory 16M\npcp off\nalloc a 0\nshow buddyinfo\n")
        #expect(r.status == 0)
        #expect(r.out == "Node 0, zone   Normal      1      1      1      1      1      1      1      1      1      1      3 \n")
        #expect(r.err == "")
    }

    @Test func scriptFromAFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vmsim-buddy-\(getpid()).txt").path
        try "zone DMA 16M\nzone Normal 16M\nshow buddyinfo\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runVMSim(["buddy", path])
        #expect(r.status == 0)
        #expect(r.out == """
            Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      0      4 
            Node 0, zone   Normal      0      0      0      0      0      0      0      0      0      0      4 

            """)
    }

    @Test(arguments: [
        ("memory 16M\nbogus 1\n", "vmsim: <stdin>:2: unknown command 'bogus'"),
        ("memory 16M\nfree nothing\n", "vmsim: <stdin>:2: free nothing: no allocation is named nothing"),
        ("memory 16M\nalloc a 1\nfree a\nfree a\n", "vmsim: <stdin>:4: a was already freed (line 3)"),
        ("memory 16M\nalloc a 12\n", "vmsim: <stdin>:2: order 12 is above the maximum order 10 (MAX_PAGE_ORDER)"),
        ("memory sixteen\n", "vmsim: <stdin>:1: memory size 'sixteen' is not a size"),
        ("memory 16M\nkmalloc k 12zz\n", "vmsim: <stdin>:2: kmalloc size '12zz' is not a size"),
    ])
    func badInputExitsWithStatus2(script: String, message: String) throws {
        let r = try runVMSim(["buddy", "-"], input: script)
        #expect(r.status == 2)
        #expect(r.err.hasPrefix(message), "\(r.err)")
    }

    @Test func outputBeforeAnErrorIsKept() throws {
        let r = try runVMSim(["buddy", "-"], input: "memory 16M\nshow buddyinfo\nfree x\n")
        #expect(r.status == 2)
        #expect(r.out.hasPrefix("Node 0, zone   Normal "))
    }

    @Test func missingFileExitsWithStatus2() throws {
        let r = try runVMSim(["buddy", "/nonexistent/script.txt"])
        #expect(r.status == 2)
        #expect(r.err.hasPrefix("vmsim: /nonexistent/script.txt: cannot open"))
    }

    @Test func failedAllocationKeepsStatus0() throws {
        let r = try runVMSim(["buddy", "-"], input: "memory 4M\nalloc a 10\n")
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("line 2: alloc a: page allocation failure: order:10"))
    }

    @Test func jsonHasTheFinalStateAndCounters() throws {
        let r = try runVMSim(["buddy", "--json", "-"], input: "memory 16M\npcp off\nalloc a 0\nshow buddyinfo\nalloc big 10\nalloc big2 10\nalloc big3 10\n")
        #expect(r.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        #expect(object["command"] as? String == "buddy")
        let zones = object["zones"] as! [[String: Any]]
        #expect(zones.count == 1)
        #expect(zones[0]["name"] as? String == "Normal")
        // a split block 0 (one block of each order 0...9 left); big, big2 and big3 took the other
        // three order-10 blocks (16 MiB: low watermark 160, always exceeded by free - 1023).
        #expect(zones[0]["nrFree"] as? [Int] == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0])
        let counters = object["counters"] as! [String: Int]
        #expect(counters["alloc_success"] == 4 && counters["alloc_fail"] == 0)
        let outputs = object["outputs"] as! [[String: Any]]
        #expect(outputs.first?["kind"] as? String == "buddyinfo")
        #expect((object["config"] as! [String: Any])["maxOrder"] as? Int == 10)
        #expect((object["slabCaches"] as! [[String: Any]]).count == 13)
    }

    @Test func helpListsTheCommand() throws {
        let r = try runVMSim(["--help"])
        #expect(r.out.contains("buddy"))
    }
}
