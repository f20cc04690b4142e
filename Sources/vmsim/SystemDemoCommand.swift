import ArgumentParser
import VMDriver
import VMReport
import VMSim

/// `vmsim demo`: the whole system on a small machine, step by step, every number from the run.
/// The same story as workloads/whole-system.vms, told through the `Machine` API.
struct SystemDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Demand paging, copy-on-write fork, a segfault, swapping and an OOM kill on a 32M machine.",
        discussion: "The same story as `vmsim run workloads/whole-system.vms`, which prints the /proc files."
    )

    func run() throws {
        do {
            try story()
        } catch let e as KernelError {
            printError("vmsim: demo: \(e)")
            throw ExitCode(70)
        }
    }

    func story() throws {
        var config = MachineConfig()
        config.memory = 32 << 20
        config.swap = 32 << 20
        var m = try reportingInputErrors { try Machine(config, swapBacking: try SwapFile(path: nil, bytes: config.swap)) }
        let kb = { (pages: Int) in groupThousands(UInt64(pages * 4)) + " kB" }
        print("VMSim demo: Linux's memory management at work on a 32M machine with 32M of swap")
        print("(x86-64 four-level page tables, the buddy allocator with its watermarks, two-list reclaim)")
        print()

        print("1. Demand paging and the zero page")
        let shell = try m.createProcess(name: "shell")
        let heap = try m.mmap(shell, length: 4 << 20, protection: [.read, .write], name: "heap")
        try m.touch(shell, heap, length: 4 << 20, .load)
        let readFaults = m.task(shell).minorFaults
        print("   shell maps 4M and reads every page: \(readFaults) minor faults, RSS \(kb(m.mm(of: shell)!.rss)):")
        print("   each read fault maps the one shared zero page, read-only. Only the page tables cost memory")
        print("   (VmPTE \(kb(m.mm(of: shell)!.table.tablePagesBelowRoot))).")
        try m.touch(shell, heap, length: 2 << 20, .store)
        print("   Writing the first 2M: \(m.task(shell).minorFaults - readFaults) more faults, each taking a zeroed frame; RSS \(kb(m.mm(of: shell)!.rss)).")
        print()

        print("2. fork and copy-on-write")
        let child = try m.fork(shell, name: "child")
        let framesBefore = m.memory.phys.allocatedPages
        try m.touch(child, heap, length: 1 << 20, .store)
        print("   The child shares all of shell's pages, write-protected in both. It writes 1M:")
        print("   \(m.task(child).cowFaults) copy-on-write faults, \(m.memory.phys.allocatedPages - framesBefore) new frames.")
        let reuseBefore = m.vmstat.pgreuse
        try m.exit(child)
        try m.touch(shell, heap, length: 1 << 20, .store)
        print("   After the child exits, shell writes the same 1M: \(m.vmstat.pgreuse - reuseBefore) pages reused in place (pgreuse),")
        print("   \(m.task(shell).cowFaults) copied: the last mapper of a page keeps it (do_wp_page).")
        print()

        print("3. Segfaults")
        let bad = try m.createProcess(name: "bad")
        let table = try m.mmap(bad, length: 64 << 10, protection: [.read], name: "table")
        if case .killed(let signal) = try m.access(bad, table, .store) {
            print("   bad writes to its read-only mapping: \(signal) at 0x\(String(m.task(bad).faultAddress ?? 0, radix: 16)); bad is killed, the others go on.")
        }
        let stray = try m.createProcess(name: "stray")
        if case .killed(let signal) = try m.access(stray, 0x1000, .load) {
            print("   stray reads 0x1000, outside every mapping: \(signal).")
        }
        print()

        print("4. Swapping under pressure")
        let db = try m.createProcess(name: "db", oomScoreAdj: -1000)
        let cache = try m.mmap(db, length: 48 << 20, protection: [.read, .write], name: "cache")
        try m.touch(db, cache, length: 48 << 20, .store)
        try m.touch(db, cache, length: 48 << 20, .load)
        let v = m.vmstat
        print("   db writes and then reads 48M, more than RAM. Below the low watermark kswapd wakes and")
        print("   reclaims from the inactive list's tail: it scanned \(groupThousands(UInt64(v.pgscanKswapd))) pages and reclaimed \(groupThousands(UInt64(v.pgstealKswapd))),")
        print("   writing \(groupThousands(UInt64(v.pswpout))) to the swap file (pswpout); reading them back took \(groupThousands(UInt64(m.task(db).majorFaults))) major faults")
        print("   and \(groupThousands(UInt64(v.pswpin))) page reads (pswpin), \(groupThousands(UInt64(v.swapRa))) of them swap readahead. db now has \(kb(m.mm(of: db)!.rss)) resident,")
        print("   \(kb(m.mm(of: db)!.swapEntries)) in swap.")
        print()

        print("5. The OOM killer")
        let hog = try m.createProcess(name: "hog")
        let buf = try m.mmap(hog, length: 40 << 20, protection: [.read, .write], name: "buf")
        let outcome = try m.touch(hog, buf, length: 40 << 20, .store)
        print("   hog writes 40M: RAM and swap run out, reclaim makes no progress, and out_of_memory picks")
        print("   the task with the highest badness (RSS + swap + page tables, adjusted by oom_score_adj).")
        for victim in m.oomVictims {
            print("   " + (m.task(victim).oomKillMessage ?? "killed \(m.task(victim).name)"))
        }
        if outcome == .done { print("   hog finished.") }
        print("   db (oom_score_adj -1000) is never chosen: it is \(m.task(db).state.rawValue).")
        print()

        print("Every read checked the page's content against what was last written there, through")
        print("swap-out and swap-in, copy-on-write and reuse: \(groupThousands(UInt64(m.pagesVerified))) checks, \(m.mismatches) mismatches.")
        print("pgfault \(groupThousands(UInt64(m.vmstat.pgfault))) = minor + major faults over all processes; oom_kill \(m.vmstat.oomKill).")
        print()
        print("The same story with every /proc file: vmsim run workloads/whole-system.vms")
        print("Page replacement on a real program's trace:  vmsim demo paging")
    }
}
