/// What `vmsim run` reports: every process's state and memory, the kernel's counters by their
/// /proc names, the content checks, and what the workload's lines printed or caused, in order.
public struct RunReport: Sendable {
    /// One process.
    public struct Process: Sendable {
        public var name: String
        public var pid: Int
        public var state: TaskState
        public var signal: KillSignal?
        public var faultAddress: UInt64?
        public var rssPages = 0, rssAnonPages = 0, rssFilePages = 0, swapPages = 0, pssPages = 0, pageTablePages = 0
        /// Faults summed over its threads.
        public var minorFaults: Int, majorFaults: Int, cowFaults: Int
        /// Threads ever created in it (1 for a single-threaded process).
        public var threads = 1
        public var oomScore = 0
        /// Its VMAs: start, end, perms as maps prints them, name as maps prints it.
        public var vmas: [(start: UInt64, end: UInt64, perms: String, name: String)] = []
    }

    /// Something a workload line printed or caused.
    public struct Event: Sendable {
        /// The line.
        public var line: Int
        /// `show`, `signal`, `oom`, `errno`, `note` or `skipped`.
        public var kind: String
        /// The text, ending in a newline.
        public var text: String
        /// An event of `line`. - Complexity: O(1).
        public init(line: Int, kind: String, text: String) {
            self.line = line
            self.kind = kind
            self.text = text
        }
    }

    /// The workload's name.
    public var workload: String
    /// The machine: RAM and swap in bytes, page-table format, swappiness, reclaim lists.
    public var memoryBytes: UInt64, swapBytes: UInt64, arch: String, swappiness: Int, lru: LRUMode, cpus: Int
    public var events: [Event]
    public var processes: [Process]
    public var vmstat: [(String, Int)]
    public var meminfo: [(String, Int)]
    public var pagesVerified: Int, mismatches: Int
    /// What `replay` lines did, if any ran.
    public var replay: ReplayStats?
    /// The memory cgroups (none: the key is left out of the JSON).
    public var cgroups: [Cgroup] = []
    /// /sys/kernel/mm/ksm, when the workload used KSM.
    public var ksm: KSMStats?
    /// The virtual machines (`vm` lines), each with its guest's own report.
    public var vms: [VM] = []

    /// A virtual machine: its host process, memory, balloon, what the host holds of it, and the
    /// guest's report.
    public struct VM: Sendable {
        public var name: String, hostPid: Int, memoryBytes: UInt64, arch: String
        public var balloonPages: Int, hostRSSPages: Int, hostSwapPages: Int
        public var guest: RunReport
        /// A VM's entry. - Complexity: O(1).
        public init(name: String, hostPid: Int, memoryBytes: UInt64, arch: String, balloonPages: Int, hostRSSPages: Int, hostSwapPages: Int, guest: RunReport) {
            self.name = name; self.hostPid = hostPid; self.memoryBytes = memoryBytes; self.arch = arch
            self.balloonPages = balloonPages; self.hostRSSPages = hostRSSPages; self.hostSwapPages = hostSwapPages; self.guest = guest
        }
    }

    /// One memory cgroup at the end of the run: its files' values (pages in bytes).
    public struct Cgroup: Sendable {
        public var name: String, path: String
        public var current: UInt64, peak: UInt64, swapCurrent: UInt64
        /// nil: max.
        public var max: UInt64?, high: UInt64?, swapMax: UInt64?
        public var low: UInt64, min: UInt64
        public var events: [(String, Int)], eventsLocal: [(String, Int)]
        public var stat: [(key: String, value: Int)]
        public var throttleMs: Int
        public var procs: [Int]
    }
}

extension Machine {
    /// The report of the machine as it is now.
    /// - Complexity: O(frames + page-table entries of every process).
    public func report(workload: String, events: [RunReport.Event], replay: ReplayStats?) -> RunReport {
        let processes = tasks.filter { $0.tgid == $0.pid }.map { t -> RunReport.Process in
            let group = tasks.filter { $0.tgid == t.pid }
            var p = RunReport.Process(name: t.name, pid: t.pid, state: t.state, signal: t.signal, faultAddress: group.lazy.compactMap(\.faultAddress).first,
                                      minorFaults: group.reduce(0) { $0 + $1.minorFaults }, majorFaults: group.reduce(0) { $0 + $1.majorFaults },
                                      cowFaults: group.reduce(0) { $0 + $1.cowFaults })
            p.threads = group.count
            if let mm = mm(of: t.pid) {
                p.rssPages = mm.rss
                p.rssAnonPages = mm.anonPages
                p.rssFilePages = mm.filePages
                p.swapPages = mm.swapEntries
                p.pssPages = (memSizeStats(t.pid)?.pss ?? 0) >> 24
                p.pageTablePages = mm.table.tablePagesBelowRoot
                p.oomScore = oomScore(t.pid)
                p.vmas = mm.vmas.vmas.map { ($0.start, $0.end, $0.flags.mapsPerms, mapsName($0, mm)) }
            }
            return p
        }
        var r = RunReport(workload: workload, memoryBytes: config.memory, swapBytes: config.swap, arch: config.format.name,
                          swappiness: config.swappiness, lru: config.lru, cpus: config.cpus, events: events, processes: processes, vmstat: vmstatLines,
                          meminfo: meminfoLines, pagesVerified: pagesVerified, mismatches: mismatches, replay: replay)
        let mc = memory.memcg
        func bytes(_ pages: Int) -> UInt64 { UInt64(pages) << 12 }
        func limit(_ pages: Int) -> UInt64? { pages == MemoryController.unlimited ? nil : bytes(pages) }
        r.cgroups = mc.cgroups.indices.dropFirst().map { g in
            let c = mc.cgroups[g]
            return RunReport.Cgroup(name: c.name, path: cgroupPath(g), current: bytes(c.usage), peak: bytes(c.peak), swapCurrent: bytes(c.swapUsage),
                                    max: limit(c.max), high: limit(c.high), swapMax: limit(c.swapMax), low: bytes(c.low), min: bytes(c.min),
                                    events: MemcgEvents.Kind.allCases.map { ($0.description, c.events[$0]) },
                                    eventsLocal: MemcgEvents.Kind.allCases.map { ($0.description, c.eventsLocal[$0]) },
                                    stat: memcgStat(g), throttleMs: c.throttleMs, procs: cgroupProcs(g))
        }
        if !ksm.slots.isEmpty || ksm.fullScans > 0 { r.ksm = ksmStats }
        return r
    }
}
