import Foundation
import Testing

/// Same input and seed, same output bytes: every command, in every output format, run twice.
@Suite("Same input, same bytes")
struct DeterminismTests {
    static let lackey = repositoryRoot.appendingPathComponent("workloads/true.lackey.gz").path
    static let malloclab = repositoryRoot.appendingPathComponent("traces/malloclab/amptjp.rep.gz").path
    static let maps = repositoryRoot.appendingPathComponent("workloads/sv39.maps").path
    static let buddyScript = """
        memory 64M
        cpus 2
        alloc a 3
        kmalloc k 200
        random 500 seed=7 max-order=3
        show extfrag
        show stats
        show buddyinfo
        show zoneinfo
        show slabinfo
        free a
        show buddyinfo
        """

    static let formats: [[String]] = [[], ["--json"], ["--csv"]]

    static let commands: [[String]] = {
        var all: [[String]] = []
        for format in formats {
            all.append(["paging", lackey, "--policy", "fifo,lru,opt,random,nru,arc", "--frames", "8,64", "--seed", "3"] + format)
            all.append(["mrc", lackey] + format)
            all.append(["mrc", lackey, "--sample", "shards:0.5"] + format)
            all.append(["mrc", lackey, "--policy", "random", "--sizes", "4,16", "--seed", "9"] + format)
            all.append(["heap", malloclab, "--policy", "first,next,best,worst,segregated,tlsf,buddy"] + format)
        }
        for format in [[], ["--json"]] {
            all.append(["translate", lackey, "--arch", "x86-64"] + format)
            all.append(["translate", lackey, "--arch", "x86-64", "--table", "hashed"] + format)
            all.append(["translate", "--arch", "sv39", "--mappings", maps, "--explain", "0x80605678", "--explain", "0x10004"] + format)
        }
        all.append(["ostep", "paging-policy", "-s", "7", "-n", "200", "-p", "LRU", "-c"])
        all.append(["ostep", "malloc", "-s", "3", "-n", "20", "-c"])
        // `vmsim demo` and `vmsim demo paging` run twice in PagingCommandTests (the paging demo at
        // one size: its whole run takes a minute in a debug build).
        return all
    }()

    @Test(arguments: commands)
    func runsTwiceToTheSameBytes(arguments: [String]) throws {
        let first = try vmsim(arguments)
        let second = try vmsim(arguments)
        #expect(first.status == 0, "\(arguments): \(first.stderr)")
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout, "\(arguments)")
        #expect(first.stderr == second.stderr, "\(arguments)")
    }

    static let workload = """
        machine memory=8M swap=8M
        process A
        A mmap heap 10M rw private anon
        A touch heap 0 10M write
        A fork B
        B touch heap 0 2M write
        A touch heap 0 10M read
        show vmstat
        show meminfo
        show A smaps_rollup
        """

    @Test(arguments: [[], ["--json"]])
    func workloadsRunTwiceToTheSameBytes(format: [String]) throws {
        let first = try runVMSim(["run", "-"] + format, input: Self.workload)
        let second = try runVMSim(["run", "-"] + format, input: Self.workload)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out.contains("pswpout"))
        #expect(first.out == second.out)
    }

    @Test(arguments: [[], ["--json"]])
    func buddyScriptsRunTwiceToTheSameBytes(format: [String]) throws {
        let first = try runVMSim(["buddy", "-"] + format, input: Self.buddyScript)
        let second = try runVMSim(["buddy", "-"] + format, input: Self.buddyScript)
        #expect(first.status == 0, "\(first.err)")
        #expect(first.out == second.out)
    }

    @Test func heapTimingIsOnlyThereWhenAskedFor() throws {
        let plain = try vmsim(["heap", Self.malloclab, "--policy", "best", "--csv"])
        #expect(!plain.stdout.contains("opsPerSecond"))
        let timed = try vmsim(["heap", Self.malloclab, "--policy", "best", "--csv", "--timing"])
        #expect(timed.stdout.split(separator: "\n").first?.hasSuffix(",opsPerSecond") == true)
    }
}
