import Testing
import VMDriver
import VMTrace
@testable import VMSim

/// Virtual machines in a workload: a guest kernel over a host process's anonymous memory, the
/// virtio balloon (drivers/virtio/virtio_balloon.c) counted by hand.
@Suite("vmsim run: virtual machines")
struct GuestVMTests {
    func run(_ lines: [String]) throws -> RunReport {
        var runner = WorkloadRunner(file: "t.vms", checkInvariants: false)
        for line in lines { try runner.run(line) }
        let r = try runner.finish()
        #expect(runner.machine!.checkInvariants() == [])
        return r
    }

    func stat(_ r: RunReport, _ key: String) -> Int { r.vmstat.first { $0.0 == key }!.1 }

    /// A's guest frees 32M when P exits, but the host still holds it; inflating A's balloon by 40M
    /// hands those pages back (MADV_DONTNEED), so B's 40M fit in the host's 64M without swapping.
    @Test func aBalloonInOneGuestLetsAnothersWorkingSetFit() throws {
        let lines = ["machine memory=64M swap=64M", "vm A memory=48M", "vm B memory=48M",
                     "A process P", "A P mmap m 32M rw private anon", "A P touch m 0 32M write", "A P exit", "A balloon 40M",
                     "B process Q", "B Q mmap m 40M rw private anon", "B Q touch m 0 40M write", "B Q touch m 0 40M read"]
        let with = try run(lines)
        #expect(stat(with, "pswpout") == 0)
        #expect(with.vms.map(\.hostRSSPages) == [0, 10240])
        #expect(with.vms[0].balloonPages == 10240)
        #expect(stat(with.vms[0].guest, "balloon_inflate") == 10240)
        let without = try run(lines.filter { $0 != "A balloon 40M" })
        #expect(stat(without, "pswpout") > 0)
        #expect(without.vms[0].hostRSSPages + without.vms[0].hostSwapPages == 8192)
    }

    /// Guest memory is the host's anonymous memory: host reclaim swaps it, and both kernels'
    /// content checks hold.
    @Test func hostReclaimAppliesToGuestMemory() throws {
        let r = try run(["machine memory=16M swap=64M", "vm G memory=32M", "G process P", "G P mmap m 24M rw private anon",
                         "G P touch m 0 24M write", "G P touch m 0 24M read"])
        #expect(stat(r, "pswpout") > 0 && stat(r, "pgmajfault") > 0)
        #expect(r.vms[0].guest.processes[0].majorFaults == 0)
        #expect(r.mismatches == 0 && r.vms[0].guest.mismatches == 0 && r.vms[0].guest.pagesVerified == 6144)
    }

    /// With deflate-on-OOM, the guest's OOM killer lets the balloon out 256 pages at a time
    /// instead of killing.
    @Test func guestOOMDeflatesTheBalloon() throws {
        let r = try run(["machine memory=64M", "vm G memory=16M", "G balloon 12M", "G process P", "G P mmap m 8M rw private anon",
                         "G P touch m 0 8M write"])
        let g = r.vms[0].guest
        #expect(g.processes[0].state == .running)
        #expect(stat(g, "oom_kill") == 0)
        #expect(stat(g, "balloon_deflate") > 0 && stat(g, "balloon_deflate") % 256 == 0)
        #expect(r.vms[0].balloonPages == 3072 - stat(g, "balloon_deflate"))
    }

    @Test func twoMegabyteHostPagesAreTransparentHugePages() throws {
        let r = try run(["machine memory=64M", "vm G memory=16M host-pages=2M", "G process P", "G P mmap m 4M rw private anon",
                         "G P touch m 0 4M write"])
        #expect(stat(r, "thp_fault_alloc") > 0)
    }

    @Test func guestEventsCarryTheGuestsName() throws {
        let r = try run(["machine memory=64M", "vm G memory=8M", "G process P", "G P mmap m 16M rw private anon", "G P touch m 0 16M write",
                         "G show meminfo"])
        #expect(r.events.contains { $0.kind == "oom" && $0.text.hasPrefix("G: Out of memory: Killed process 1 (P)") })
        #expect(r.events.contains { $0.kind == "show" && $0.text.hasPrefix("G: /proc/meminfo\nMemTotal:") })
    }

    @Test(arguments: [
        ("vm G", "t.vms:1: vm G needs memory=SIZE"),
        ("vm G memory=1K", "t.vms:1: memory=1K: give a multiple of 4K"),
        ("vm G memory=8M size=1", "t.vms:1: unknown vm setting 'size'"),
        ("vm G memory=8M\nG bogus", "t.vms:2: G: unknown command or process 'bogus'"),
        ("vm G memory=8M\nG vm H memory=4M", "t.vms:2: G: a guest cannot run virtual machines of its own"),
        ("vm G memory=8M\nG balloon lots", "t.vms:2: balloon size 'lots' is not a size"),
        ("process G\nvm G memory=8M", "t.vms:2: G names a process or vm already"),
        ("vm G memory=8M\nprocess G", "t.vms:2: 'G' cannot name a process"),
    ])
    func badVMLinesNameTheLine(script: String, message: String) {
        expectScriptError(script, message)
    }
}

/// KSM in the host over guests' memory: identical pages of two guests merge, and a guest's write
/// un-merges its page by copy-on-write in the host, every content intact in both kernels.
@Suite("vmsim run: KSM across guests")
struct GuestKSMTests {
    @Test func identicalGuestPagesMergeInTheHost() throws {
        var runner = WorkloadRunner(file: "t.vms", checkInvariants: false)
        for line in ["machine memory=64M", "vm A memory=16M", "vm B memory=16M",
                     "A process P", "A P mmap m 1M rw private anon", "A P fill m 0 1M pattern=index",
                     "B process Q", "B Q mmap m 1M rw private anon", "B Q fill m 0 1M pattern=index",
                     "ksm run", "B Q write m 0", "B Q touch m 0 1M read", "A P touch m 0 1M read", "ksm run"] {
            try runner.run(line)
        }
        let r = try runner.finish()
        #expect(runner.machine!.checkInvariants() == [])
        // 256 pages of A and 256 of B merged pairwise; B's page 0 was then written in the guest
        // and copied in the host: 256 KSM pages, 255 mappings beyond the first.
        #expect(r.ksm?.pagesShared == 256 && r.ksm?.pagesSharing == 255)
        #expect(r.processes[1].cowFaults == 1)
        #expect(r.mismatches == 0 && r.vms.allSatisfy { $0.guest.mismatches == 0 })
    }
}
