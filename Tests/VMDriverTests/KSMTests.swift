import Testing
import VMDriver
import VMTrace
import VMReport
@testable import VMSim

/// KSM against mm/ksm.c's rules, counted by hand: the first full scan only checksums, identical
/// pages merge into write-protected KSM pages of at most max_page_sharing (256) mappings, a write
/// copies the page back out, and /sys/kernel/mm/ksm's counters mean what the kernel's do.
@Suite("Kernel: KSM")
struct KSMTests {
    /// Runs `lines` with every invariant (the stable tree's among them) checked at the end.
    func run(_ lines: [String]) throws -> (WorkloadRunner, RunReport) {
        var runner = WorkloadRunner(file: "t.vms", checkInvariants: false)
        for line in lines { try runner.run(line) }
        let r = try runner.finish()
        #expect(runner.machine!.checkInvariants() == [])
        return (runner, r)
    }

    let twoProcesses = ["machine memory=8M", "process A", "process B",
                        "A mmap m 1M rw private anon", "B mmap m 1M rw private anon",
                        "A fill m 0 1M pattern=index", "B fill m 0 1M pattern=index",
                        "A madvise m 0 1M mergeable", "B madvise m 0 1M mergeable"]

    @Test func theFirstScanOnlyChecksumsTheSecondMerges() throws {
        let (runner, _) = try run(twoProcesses)
        var m = runner.machine!
        let before = m.memory.phys.allocatedPages
        #expect(m.ksmFullScan() == 0)
        #expect(m.ksmStats == KSMStats(pagesShared: 0, pagesSharing: 0, pagesUnshared: 0, pagesVolatile: 512, fullScans: 1))
        // Scan 2: A's pages go into the unstable tree, each of B's finds its twin there.
        #expect(m.ksmFullScan() == 256)
        #expect(m.ksmStats == KSMStats(pagesShared: 256, pagesSharing: 256, pagesUnshared: 0, pagesVolatile: 0, fullScans: 2))
        #expect(m.ksmFullScan() == 0)
        // 256 duplicate frames freed; both still have 256 resident pages (MM_ANONPAGES), the
        // machine 256 anonymous pages (NR_ANON_MAPPED).
        #expect(before - m.memory.phys.allocatedPages == 256)
        #expect(m.mm(of: 1)!.anonPages == 256 && m.mm(of: 2)!.anonPages == 256)
        #expect(m.anonMappedPages == 256)
        #expect(m.checkInvariants() == [])
    }

    @Test func ksmRunStopsAfterAScanThatMergesNothing() throws {
        let (_, r) = try run(twoProcesses + ["ksm run"])
        #expect(r.ksm == KSMStats(pagesShared: 256, pagesSharing: 256, pagesUnshared: 0, pagesVolatile: 0, fullScans: 3))
    }

    /// A write to a merged page copies it (a COW fault); everybody's content stays intact.
    @Test func aWriteUnmergesByCopyOnWrite() throws {
        let (runner, r) = try run(twoProcesses + ["ksm run", "B write m 0", "A touch m 0 1M read", "B touch m 0 1M read", "ksm run"])
        #expect(r.processes[1].cowFaults == 1)
        #expect(r.mismatches == 0 && r.pagesVerified == 512)
        // B's page 0 is its own again: checksummed in scan 4, in the unstable tree in scan 5.
        #expect(r.ksm == KSMStats(pagesShared: 256, pagesSharing: 255, pagesUnshared: 1, pagesVolatile: 0, fullScans: 5))
        let m = runner.machine!
        #expect(m.anonMappedPages == 257)
    }

    /// One KSM page takes at most 256 mappings: 300 identical pages make two KSM pages (256 and 44).
    @Test func maxPageSharingChainsAnotherPage() throws {
        let (_, r) = try run(["machine memory=8M", "process A", "A mmap m 1200K rw private anon", "A fill m 0 1200K pattern=7",
                              "A madvise m 0 1200K mergeable", "ksm run", "A touch m 0 1200K read"])
        #expect(r.ksm?.pagesShared == 2 && r.ksm?.pagesSharing == 298)
        #expect(r.mismatches == 0)
    }

    @Test func onlyMergeableIdenticalPagesMerge() throws {
        let (_, r) = try run(["machine memory=8M", "process A", "process B", "A mmap m 64K rw private anon", "B mmap m 64K rw private anon",
                              "A mmap n 64K rw private anon", "A fill m 0 64K pattern=index", "B fill m 0 64K pattern=index",
                              "A fill n 0 64K pattern=index", "A madvise m 0 64K mergeable", "B touch m 0 64K write", "B madvise m 0 64K mergeable",
                              "ksm run"])
        // n is not mergeable; B's pages were rewritten with contents of their own.
        #expect(r.ksm == KSMStats(pagesShared: 0, pagesSharing: 0, pagesUnshared: 32, pagesVolatile: 0, fullScans: 2))
    }

    @Test func zeroFilledPagesMergeAmongThemselves() throws {
        let (_, r) = try run(["machine memory=8M", "process A", "A mmap m 64K rw private anon", "A fill m 0 64K pattern=zero",
                              "A madvise m 0 64K mergeable", "ksm run", "A touch m 0 64K read"])
        // use_zero_pages is 0: the 16 zero-filled pages become one KSM page, not the zero page.
        #expect(r.ksm?.pagesShared == 1 && r.ksm?.pagesSharing == 15)
        #expect(r.mismatches == 0)
    }

    /// MADV_UNMERGEABLE copies A's pages back (`break_ksm`); B keeps the KSM pages alone.
    @Test func unmergeableBreaksTheSharing() throws {
        let (runner, r) = try run(twoProcesses + ["ksm run", "A madvise m 0 1M unmergeable", "ksm run", "A touch m 0 1M read"])
        #expect(r.ksm?.pagesShared == 256 && r.ksm?.pagesSharing == 0)
        #expect(runner.machine!.anonMappedPages == 512 && r.mismatches == 0)
    }

    @Test func aForkedKSMPageIsSharedOnceMore() throws {
        let (_, r) = try run(twoProcesses + ["ksm run", "A fork C", "ksm run", "C touch m 0 1M read"])
        #expect(r.ksm?.pagesShared == 256 && r.ksm?.pagesSharing == 512)
        #expect(r.mismatches == 0)
    }

    @Test(arguments: [
        ("process A\nA mmap m 4K rw private anon\nA fill m 0 4K pattern=odd", "t.vms:3: pattern=odd: give index, zero or a number"),
        ("process A\nA mmap m 4K rw private anon\nA fill m 0 4K", "t.vms:3: fill needs NAME OFFSET LENGTH pattern="),
        ("ksm stop", "t.vms:1: ksm takes one command: ksm run"),
    ])
    func badKSMLinesNameTheLine(script: String, message: String) {
        expectScriptError(script, message)
    }

    @Test func theReportHasTheSysfsNames() throws {
        let (_, r) = try run(twoProcesses + ["ksm run", "show ksm"])
        #expect(r.events.last!.text == "/sys/kernel/mm/ksm\nfull_scans 3\nmax_page_sharing 256\npages_shared 256\npages_sharing 256\npages_unshared 0\npages_volatile 0\n")
        let json = RunRenderer().json(r).serialized()
        #expect(json.contains("\"ksm\":{\"pages_shared\":256,\"pages_sharing\":256,\"pages_unshared\":0,\"pages_volatile\":0,\"full_scans\":3}"))
    }
}
