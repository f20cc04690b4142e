/// What `vmsim run` reports: every process's state and memory, the kernel's counters by their
/// /proc names, the content checks, and what the workload's lines printed or caused, in order.
public struct RunReport: Sendable {
    /// The machine over time (`Machine.seriesSample`): a step per workload line and per batch of a
    /// replay, at most 1,000 evenly spaced steps, the last at the end.
    public var series: Series?
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
    /// A replayed recording of a real program (`vmsim run RECORDING-DIR`), if any.
    public var recording: Recording?

    /// What the real kernel measured when the program ran natively (getrusage of the child).
    public struct NativeRun: Sendable, Hashable {
        public var minorFaults = 0, majorFaults = 0, maxRSSKiB = 0
        public var exitStatus: Int?
        public init() {}
    }

    /// The replay of a Valgrind recording: per process, its memory at the peak and at the end,
    /// the system calls replayed and skipped, and what the native run measured.
    public struct Recording: Sendable {
        /// One recorded process.
        public struct Process: Sendable {
            /// The pid in the recording, and in the machine.
            public var recordedPid: Int, pid: Int
            public var name: String
            public var logs: [String] = []
            /// `hiwater_rss` (VmHWM) in pages, and the anonymous and file pages when the RSS was
            /// at its largest sampled value (after a system call or a batch of accesses).
            public var hiwaterRSS = 0, peakAnonPages = 0, peakFilePages = 0, peakVMAs = 0
            /// RSS just before the process exited (or at the end of its log).
            public var finalAnonPages = 0, finalFilePages = 0
            public var minorFaults = 0, majorFaults = 0, threads = 1
            public var exitStatus: Int?
            public var signal: String?
            /// The five largest mappings at the peak.
            public var largestAtPeak: [Mapping] = []
            /// The heap log's replay through an allocator, if there was a heap log.
            public var heap: Heap?
            public init(recordedPid: Int, pid: Int, name: String) {
                self.recordedPid = recordedPid; self.pid = pid; self.name = name
            }
        }
        /// A mapping as /proc/PID/maps shows it.
        public struct Mapping: Sendable {
            public var start: UInt64, end: UInt64, perms: String, name: String
            public init(start: UInt64, end: UInt64, perms: String, name: String) {
                self.start = start; self.end = end; self.perms = perms; self.name = name
            }
        }
        /// A heap log replayed through one of VMSim's allocators, beside memcheck's own summary.
        public struct Heap: Sendable {
            public var log: String, allocator: String
            public var allocs: UInt64, frees: UInt64, bytesAllocated: UInt64, inUseAtExitBytes: UInt64, inUseAtExitBlocks: UInt64
            /// The most bytes the program held allocated at once, and the allocator's heap size for them.
            public var peakPayload: UInt64, heapSize: UInt64
            /// Chunks glibc's rules gave their own mappings (requests of M_MMAP_THRESHOLD or more), the
            /// most bytes so mapped at once, and the threshold at the end (raised by frees).
            public var mmaps: UInt64 = 0, mmappedBytesPeak: UInt64 = 0, mmapThresholdAtExit: UInt64?
            /// memcheck's HEAP SUMMARY: allocs, frees, bytes allocated, in use at exit (bytes, blocks).
            public var memcheck: (allocs: UInt64, frees: UInt64, bytes: UInt64, inUseBytes: UInt64, inUseBlocks: UInt64)?
            public init(log: String, allocator: String, allocs: UInt64, frees: UInt64, bytesAllocated: UInt64, inUseAtExitBytes: UInt64,
                        inUseAtExitBlocks: UInt64, peakPayload: UInt64, heapSize: UInt64) {
                self.log = log; self.allocator = allocator; self.allocs = allocs; self.frees = frees; self.bytesAllocated = bytesAllocated
                self.inUseAtExitBytes = inUseAtExitBytes; self.inUseAtExitBlocks = inUseAtExitBlocks; self.peakPayload = peakPayload; self.heapSize = heapSize
            }
        }
        public var command: [String] = []
        public var processes: [Process] = []
        /// System calls replayed and skipped, by name, sorted.
        public var syscalls: [(String, Int)] = [], skipped: [(String, Int)] = []
        /// Calls that failed in the recording (nothing to replay), and calls that succeeded there but not here.
        public var failedInRecording = 0, diverged = 0
        public var records = 0, accesses = 0
        /// Pages Valgrind mapped before tracing began, mapped on first touch.
        public var pagesMappedOnTouch = 0
        /// Page-cache pages at the end.
        public var pageCachePages = 0
        /// Where logs were cut short.
        public var truncated: [String] = []
        public var native: NativeRun?
        public init() {}
    }

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
