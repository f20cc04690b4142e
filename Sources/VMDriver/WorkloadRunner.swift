import VMSim
import VMTrace

/// Runs a workload script (`vmsim run`) on a `Machine`: one command a line, `#` comments. The
/// script language is a thin parser over the machine's typed API: names for processes and
/// mappings, sizes with K/M/G, and the results (a segfault, an OOM kill, ENOMEM) reported as
/// events. Mistakes in the script throw `TraceError` with `FILE:LINE:`.
///
///     machine memory=64M swap=128M arch=x86-64 swappiness=60
///     process A
///     A mmap heap 16M rw private anon
///     A touch heap 0 16M write
///     A fork B
///     B write heap 8192
///     show vmstat
public struct WorkloadRunner {
    /// The script's name in errors and reports.
    public let file: String
    /// Where `replay` paths are relative to (the script's folder).
    public let directory: String
    /// The swap file's path (nil: a temporary file, removed at the end).
    public let swapPath: String?
    /// Check every kernel invariant after every operation.
    public let checkInvariants: Bool
    /// The machine, once the first command that needs it has run.
    public internal(set) var machine: Machine?
    /// What the lines printed or caused.
    public internal(set) var events: [RunReport.Event] = []
    /// What `replay` lines did.
    public private(set) var replayStats: ReplayStats?
    /// The machine over time: a step per line, and per batch of a replay (`Machine.seriesSample`).
    var series = SeriesSampler(unit: "steps", columns: [])
    var config = MachineConfig()
    var machineLine: Int?
    var pids: [String: Int] = [:]
    var cgroups: [String: Int] = [:]
    /// The virtual machines, by name, and whether this runner drives a guest.
    var guests: [String: GuestVM] = [:]
    var isGuest = false
    /// Names no process, cgroup or vm may take.
    static let reservedNames: Set<String> = ["machine", "process", "show", "file", "cgroup", "ksm", "vm"]
    var fileIDs: [String: Int] = [:]
    var mappings: [Int: [String: (start: UInt64, length: UInt64)]] = [:]
    /// The process (first thread) of each other thread, whose mappings it shares.
    var leaders: [Int: Int] = [:]
    func group(_ pid: Int) -> Int { leaders[pid] ?? pid }
    var swapFile: SwapFile?

    /// The commands, for help texts.
    public static let summary = """
          machine memory=64M swap=128M arch=x86-64 cpus=1 swappiness=60 thp=madvise lru=2list page-cluster=3
          file NAME SIZE
          cgroup NAME [parent=P] [max=SIZE|max] [high=SIZE|max] [low=SIZE] [min=SIZE] [swap.max=SIZE|max] [oom.group=0|1]
                                    (again later: new limits; a lower max reclaims, then OOM-kills inside)
          process A [oom-score-adj=N] [threads=T] [cgroup=NAME]   (threads A.2 ... A.T, thread K on CPU (K-1) mod cpus)
          A mmap NAME SIZE r|rw|rx|rwx|none private|shared anon [at=ADDR]
          A mmap NAME SIZE PROT private|shared file=FILE [offset=OFF] [at=ADDR]
          A msync NAME OFFSET LENGTH
          A touch NAME OFFSET LENGTH read|write|exec [step=4K]
          A read|write|exec NAME OFFSET
          A access ADDR read|write|exec
          A mprotect NAME OFFSET LENGTH PROT
          A madvise NAME OFFSET LENGTH dontneed|free|hugepage|nohugepage|mergeable|unmergeable
          A fill NAME OFFSET LENGTH pattern=index|zero|N   (writes content: the page's index in the mapping, zeroes, or N)
          ksm run                   (ksmd until a full scan merges nothing new)
          vm G memory=SIZE [arch=x86-64] [cpus=N] [host-pages=4K|2M]   (a guest kernel over the host process G's memory)
          G process P ... / G P touch m 0 1M write / G show meminfo     (commands run in guest G)
          G balloon SIZE            (the guest's virtio balloon: the host drops inflated pages)
          A mremap NAME NEWSIZE       (MREMAP_MAYMOVE)
          A munmap NAME OFFSET LENGTH
          A brk +SIZE|-SIZE
          A fork B
          A exit                    (exit_group; A.2 exit: that thread only)
          A replay TRACE            (a Lackey, din or plain trace run inside A)
          show vmstat|meminfo|buddyinfo|zoneinfo|slabinfo|lru_gen|ksm (lru_gen: the generations, lru=mglru)
          show A maps|status|smaps_rollup|oom_score
          show CGROUP memory.current|memory.max|memory.high|memory.low|memory.min|memory.peak|memory.events|
                      memory.events.local|memory.stat|memory.swap.current|memory.swap.max|memory.swap.events|
                      memory.oom.group|cgroup.procs
        """

    /// A runner for the script `file` (shown in errors as given), reading `replay` traces
    /// relative to `directory`.
    public init(file: String, directory: String = ".", swapPath: String? = nil, checkInvariants: Bool = false) {
        self.file = file
        self.directory = directory
        self.swapPath = swapPath
        self.checkInvariants = checkInvariants
    }

    /// Loads and runs the script at `path` (`-`: standard input).
    /// - Throws: `TraceError` for an unreadable file or a mistake in it.
    /// - Complexity: the sum of the commands' costs.
    public static func run(path: String, swapPath: String? = nil, checkInvariants: Bool = false) throws(TraceError) -> RunReport {
        let stream = try ByteStream.open(path)
        let text = try stream.readText(limit: 64 << 20, what: "a workload script")
        let directory = path == "-" ? "." : (path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ".")
        var runner = WorkloadRunner(file: stream.name, directory: directory, swapPath: swapPath, checkInvariants: checkInvariants)
        try runner.run(text)
        return try runner.finish()
    }

    /// Runs independent workloads side by side on up to `parallelism` host cores, each with its
    /// own machine and temporary swap file; the results come in the order of `paths`, the same
    /// whatever the parallelism (each run is deterministic and shares nothing).
    /// - Complexity: the sum of the runs' costs, spread over the workers.
    public static func runAll(paths: [String], checkInvariants: Bool = false, parallelism: Int) -> [Result<RunReport, TraceError>] {
        Parallel.map(paths.count, parallelism: parallelism) { i in
            do throws(TraceError) {
                return .success(try run(path: paths[i], checkInvariants: checkInvariants))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Runs every line of `text`.
    /// - Complexity: the sum of the commands' costs.
    public mutating func run(_ text: String) throws(TraceError) {
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if Interrupt.requested { return }
            number += 1
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            guard !words.isEmpty else { continue }
            do throws(LineError) {
                try execute(words, line: number)
            } catch {
                throw TraceError(file: file, location: .line(number), message: error.message)
            }
            if let m = machine { series.step { m.seriesSample } }
        }
    }

    /// The report after the last line (booting the machine if the script never did).
    /// - Complexity: O(frames + page-table entries).
    public mutating func finish() throws(TraceError) -> RunReport {
        var r: RunReport, m: Machine
        do throws(LineError) {
            m = try booted(line: max(1, machineLine ?? 1))
            r = m.report(workload: file, events: events, replay: replayStats)
            r.series = SeriesSampler.isEnabled ? series.finished { m.seriesSample } : nil
        } catch {
            throw TraceError(file: file, location: .line(machineLine ?? 1), message: error.message)
        }
        for name in guests.keys.sorted(by: { guests[$0]!.hostPid < guests[$1]!.hostPid }) {
            let vm = guests[name]!
            let guest = try vm.report()
            let host = m.mm(of: vm.hostPid)
            r.vms.append(RunReport.VM(name: name, hostPid: vm.hostPid, memoryBytes: vm.bytes, arch: guest.arch,
                                      balloonPages: vm.runner.machine?.balloonPages ?? 0,
                                      hostRSSPages: host?.rss ?? 0, hostSwapPages: host?.swapEntries ?? 0, guest: guest))
        }
        return r
    }

    struct LineError: Error { let message: String }

    // MARK: Lines

    mutating func execute(_ words: [String], line: Int) throws(LineError) {
        if guests[words[0]] != nil { return try guestLine(words, line: line) }
        switch words[0] {
        case "vm": try createVM(words, line: line)
        case "machine": try configure(words, line: line)
        case "file":
            guard words.count == 3 else { throw LineError(message: "file needs NAME SIZE") }
            guard fileIDs[words[1]] == nil else { throw LineError(message: "file \(words[1]) exists already") }
            let size = try Self.size(words[2], "size")
            guard size > 0, size <= 1 << 40 else { throw LineError(message: "a file needs 1 byte to 1T") }
            var m = try booted(line: line)
            fileIDs[words[1]] = m.createFile(name: words[1], size: size)
            machine = m
        case "process": try createProcess(words, line: line)
        case "cgroup": try cgroup(words, line: line)
        case "ksm":
            guard words.count == 2, words[1] == "run" else { throw LineError(message: "ksm takes one command: ksm run") }
            var m = try booted(line: line)
            m.ksmRun()
            machine = m
        case "show": try show(words, line: line)
        default:
            guard let pid = pids[words[0]] else {
                throw LineError(message: "unknown command or process '\(words[0])' (commands: machine, file, cgroup, process, ksm, show; processes: \(pids.keys.sorted().joined(separator: ", ")))")
            }
            guard words.count >= 2 else { throw LineError(message: "'\(words[0])' needs a command (mmap, touch, fill, read, write, exec, access, mprotect, madvise, munmap, brk, fork, exit, replay)") }
            var m = try booted(line: line)
            machine = nil
            defer { machine = m }
            let task = m.task(pid)
            switch task.state {
            case .exited: throw LineError(message: "process \(words[0]) has exited")
            case .killed:
                events.append(.init(line: line, kind: "skipped", text: "\(words[0]) \(words[1]): skipped, \(words[0]) was killed by \(task.signal?.description ?? "a signal")\n"))
                return
            case .running: break
            }
            let killed = m.oomVictims.count
            try processCommand(&m, pid: pid, name: words[0], words: Array(words.dropFirst()), line: line)
            noteKills(m, since: killed, line: line)
        }
    }

    /// Events for the tasks the OOM killer took during the line.
    mutating func noteKills(_ m: Machine, since first: Int, line: Int) {
        for victim in m.oomVictims[first...] {
            let t = m.task(victim)
            events.append(.init(line: line, kind: "oom", text: (t.oomKillMessage ?? "Out of memory: Killed process \(victim) (\(t.name))") + "\n"))
        }
    }

    mutating func configure(_ words: [String], line: Int) throws(LineError) {
        guard machine == nil, machineLine == nil else {
            throw LineError(message: machineLine != nil ? "the machine is described once (line \(machineLine!))" : "'machine' comes before the first process")
        }
        machineLine = line
        for w in words.dropFirst() {
            guard let eq = w.firstIndex(of: "=") else { throw LineError(message: "'\(w)' is not KEY=VALUE") }
            let key = String(w[..<eq]), value = String(w[w.index(after: eq)...])
            if try Self.kernelSetting(key, value, into: &config) { continue }
            switch key {
            case "swap":
                guard let b = ByteSize.parse(value), b % 4096 == 0, b <= 1 << 40 else { throw LineError(message: "swap=\(value): give a multiple of 4K up to 1T") }
                config.swap = b
            case "swappiness":
                guard let n = Int(value), (0...200).contains(n) else { throw LineError(message: "swappiness=\(value): give 0 to 200") }
                config.swappiness = n
            case "page-cluster":
                guard let n = Int(value), (0...10).contains(n) else { throw LineError(message: "page-cluster=\(value): give 0 to 10") }
                config.pageCluster = n
            case "min-free-kbytes":
                guard let n = Int(value), n >= 128 else { throw LineError(message: "min-free-kbytes=\(value): give at least 128") }
                config.minFreeKbytes = n
            case "thp":
                guard let mode = THPMode(rawValue: value) else { throw LineError(message: "thp=\(value): give always, madvise or never") }
                config.thp = mode
            case "lru":
                guard let mode = LRUMode(rawValue: value) else { throw LineError(message: "lru=\(value): give 2list or mglru") }
                config.lru = mode
            default:
                throw LineError(message: "unknown machine setting '\(key)' (memory, swap, arch, cpus, swappiness, thp, lru, page-cluster, min-free-kbytes)")
            }
        }
    }

    /// The settings a host's `machine` line and a guest's `vm` line share: memory, arch, cpus.
    /// False for another key.
    static func kernelSetting(_ key: String, _ value: String, into config: inout MachineConfig) throws(LineError) -> Bool {
        switch key {
        case "memory":
            guard let b = ByteSize.parse(value), b >= 1 << 20, b % 4096 == 0, b <= UInt64(PhysicalMemoryConfig.maxPages) << 12 else {
                throw LineError(message: "memory=\(value): give a multiple of 4K from 1M to \(PhysicalMemoryConfig.maxPages >> 8)M")
            }
            config.memory = b
        case "arch":
            guard let f = PageTableFormat.named(value), f.virtualBits >= 39, f.basePage == .base4K else {
                throw LineError(message: "arch=\(value): the kernel runs x86-64, la57, sv39, sv48 or sv57")
            }
            config.format = f
        case "cpus":
            guard let n = Int(value), (1...64).contains(n) else { throw LineError(message: "cpus=\(value): give 1 to 64") }
            config.cpus = n
        default:
            return false
        }
        return true
    }

    /// The machine, booted with the configuration on the first use.
    mutating func booted(line: Int) throws(LineError) -> Machine {
        if let machine { return machine }
        var c = config
        c.checkInvariants = checkInvariants
        var backing: SwapFile?
        if c.swap > 0 {
            do throws(TraceError) {
                backing = try SwapFile(path: swapPath, bytes: c.swap)
            } catch {
                throw LineError(message: error.description)
            }
        }
        swapFile = backing
        do throws(KernelError) {
            let m = try Machine(c, swapBacking: backing)
            machine = m
            return m
        } catch {
            throw LineError(message: error.description)
        }
    }

    mutating func createProcess(_ words: [String], line: Int) throws(LineError) {
        guard words.count >= 2 else { throw LineError(message: "process needs a name") }
        let name = words[1]
        guard !Self.reservedNames.contains(name), name.first?.isLetter == true, !name.contains("."), guests[name] == nil,
              !(isGuest && name == "balloon") else {
            throw LineError(message: "'\(name)' cannot name a process: begin with a letter, no '.', and avoid command names")
        }
        guard pids[name] == nil else { throw LineError(message: "process \(name) exists already") }
        var adj = 0, threads = 1, group: Int?
        for w in words.dropFirst(2) {
            if w.hasPrefix("cgroup=") {
                let c = String(w.dropFirst(7))
                guard group == nil else { throw LineError(message: "'\(w)': process \(name) is placed in a cgroup once") }
                guard let g = cgroups[c] else { throw LineError(message: "unknown cgroup '\(c)'" + (cgroups.isEmpty ? " (declare it with `cgroup NAME`)" : " (cgroups: \(cgroups.keys.sorted().joined(separator: ", ")))")) }
                group = g
                continue
            }
            if w.hasPrefix("threads=") {
                guard let n = Int(w.dropFirst(8)), (1...256).contains(n) else { throw LineError(message: "'\(w)': give threads=N with N from 1 to 256") }
                threads = n
                continue
            }
            guard w.hasPrefix("oom-score-adj="), let n = Int(w.dropFirst(14)), (-1000...1000).contains(n) else {
                throw LineError(message: "'\(w)': give oom-score-adj=N with N from -1000 to 1000, threads=N or cgroup=NAME")
            }
            adj = n
        }
        var m = try booted(line: line)
        do throws(KernelError) {
            let pid = try m.createProcess(name: name, oomScoreAdj: adj, cgroup: group ?? 0)
            pids[name] = pid
            mappings[pid] = [:]
            for _ in 1..<threads {
                let tid = try m.createThread(pid)
                pids[m.task(tid).name] = tid
                leaders[tid] = pid
            }
        } catch {
            events.append(.init(line: line, kind: "errno", text: "process \(name): \(error)\n"))
        }
        machine = m
    }

    // MARK: Cgroups

    /// `cgroup NAME [parent=P] [max=...] ...`: a new memory cgroup, or new limits for one.
    mutating func cgroup(_ words: [String], line: Int) throws(LineError) {
        guard words.count >= 2 else { throw LineError(message: "cgroup needs a name") }
        let name = words[1]
        guard name.first?.isLetter == true, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw LineError(message: "'\(name)' cannot name a cgroup: begin with a letter; letters, digits, - and _")
        }
        var limits = CgroupLimits(), parent: String?
        for w in words.dropFirst(2) {
            guard let eq = w.firstIndex(of: "=") else { throw LineError(message: "'\(w)' is not KEY=VALUE") }
            let key = String(w[..<eq]), value = String(w[w.index(after: eq)...])
            func pages(allowMax: Bool) throws(LineError) -> Int {
                if value == "max" {
                    guard allowMax else { throw LineError(message: "\(key)=max: \(key) takes a size (memory.\(key) has no max)") }
                    return MemoryController.unlimited
                }
                // page_counter_memparse: bytes, rounded down to pages.
                guard let b = ByteSize.parse(value), b <= 1 << 50 else {
                    throw LineError(message: "\(key)=\(value): give a size (64M, 1G, 4096)" + (allowMax ? " or max" : ""))
                }
                return Int(b >> 12)
            }
            switch key {
            case "parent":
                guard parent == nil else { throw LineError(message: "'\(w)': one parent") }
                parent = value
            case "max": limits.max = try pages(allowMax: true)
            case "high": limits.high = try pages(allowMax: true)
            case "low": limits.low = try pages(allowMax: false)
            case "min": limits.min = try pages(allowMax: false)
            case "swap.max": limits.swapMax = try pages(allowMax: true)
            case "oom.group":
                guard value == "0" || value == "1" else { throw LineError(message: "oom.group=\(value): give 0 or 1") }
                limits.oomGroup = value == "1"
            default:
                throw LineError(message: "unknown cgroup setting '\(key)' (parent, max, high, low, min, swap.max, oom.group)")
            }
        }
        var m = try booted(line: line)
        machine = nil
        defer { machine = m }
        if let g = cgroups[name] {
            // Existing: new limits only; it cannot move (that could make a cycle).
            if let p = parent {
                let current = m.memory.memcg.cgroups[g].parent
                let now = current == 0 ? "the root" : m.memory.memcg.cgroups[current].name
                if let pg = cgroups[p], m.memory.memcg.isDescendant(pg, of: g) {
                    throw LineError(message: "cgroup \(name) cannot move below \(p): \(p) is inside \(name) (a cycle)")
                }
                guard cgroups[p] == current || (p == "/" && current == 0) else {
                    throw LineError(message: "cgroup \(name) exists below \(now); a cgroup cannot move to parent=\(p)")
                }
            }
            let killed = m.oomVictims.count
            do throws(KernelError) { try m.setCgroupLimits(g, limits) } catch { throw LineError(message: error.description) }
            noteKills(m, since: killed, line: line)
            return
        }
        var parentIndex = 0
        if let p = parent, p != "/" {
            guard p != name else { throw LineError(message: "cgroup \(name) cannot be its own parent (a cycle)") }
            guard let pg = cgroups[p] else {
                throw LineError(message: "unknown parent cgroup '\(p)'" + (cgroups.isEmpty ? "" : " (cgroups: \(cgroups.keys.sorted().joined(separator: ", ")))"))
            }
            parentIndex = pg
        }
        do throws(KernelError) {
            cgroups[name] = try m.createCgroup(name: name, parent: parentIndex, limits: limits)
        } catch { throw LineError(message: "cgroup \(name): \(error)") }
    }

    // MARK: Process commands

    static func size(_ s: String, _ what: String) throws(LineError) -> UInt64 {
        guard let b = ByteSize.parse(s) else { throw LineError(message: "\(what) '\(s)' is not a size (4096, 4K, 2M, 0x1000)") }
        return b
    }

    static func address(_ s: String) throws(LineError) -> UInt64 {
        let t = s.lowercased()
        if t.hasPrefix("0x"), let v = UInt64(t.dropFirst(2), radix: 16) { return v }
        if let v = UInt64(t) { return v }
        throw LineError(message: "'\(s)' is not an address (0x7f0000001000 or decimal)")
    }

    static func protection(_ s: String) throws(LineError) -> VMAFlags {
        switch s {
        case "none": return []
        case "r": return [.read]
        case "rw": return [.read, .write]
        case "rx": return [.read, .exec]
        case "rwx": return [.read, .write, .exec]
        default: throw LineError(message: "'\(s)' is not a protection (r, rw, rx, rwx, none)")
        }
    }

    static func kind(_ s: String) throws(LineError) -> AccessKind {
        switch s {
        case "read": return .load
        case "write": return .store
        case "exec": return .instruction
        default: throw LineError(message: "'\(s)' is not an access (read, write, exec)")
        }
    }

    func mapping(_ pid: Int, _ name: String, process: String) throws(LineError) -> (start: UInt64, length: UInt64) {
        guard let m = mappings[group(pid)]?[name] else {
            let known = (mappings[group(pid)] ?? [:]).keys.sorted()
            throw LineError(message: "\(process) has no mapping '\(name)'" + (known.isEmpty ? "" : " (mappings: \(known.joined(separator: ", ")))"))
        }
        return m
    }

    /// `NAME OFFSET [LENGTH]` inside the mapping: the start address and the length.
    func range(_ pid: Int, _ words: [String], at i: Int, process: String, withLength: Bool) throws(LineError) -> (UInt64, UInt64) {
        let need = withLength ? 3 : 2
        guard words.count >= i + need else {
            throw LineError(message: "\(words[0]) needs NAME OFFSET" + (withLength ? " LENGTH" : ""))
        }
        let m = try mapping(pid, words[i], process: process)
        let offset = try Self.size(words[i + 1], "offset")
        let length = withLength ? try Self.size(words[i + 2], "length") : 1
        guard offset < m.length, length <= m.length - offset else {
            throw LineError(message: "offset \(words[i + 1])" + (withLength ? " + length \(words[i + 2])" : "") + " is past the end of '\(words[i])' (\(ByteSize.format(m.length)))")
        }
        return (m.start + offset, length)
    }

    mutating func processCommand(_ m: inout Machine, pid: Int, name: String, words: [String], line: Int) throws(LineError) {
        let verb = words[0]
        func result(_ outcome: AccessOutcome) {
            if case .killed(let signal) = outcome, signal != .oomKill {
                let t = m.task(pid)
                events.append(.init(line: line, kind: "signal",
                                    text: "\(name): \(signal) at 0x\(String(t.faultAddress ?? 0, radix: 16)); \(name) (pid \(pid)) is killed\n"))
            }
        }
        func errno(_ e: KernelError) {
            events.append(.init(line: line, kind: "errno", text: "\(name) \(words.joined(separator: " ")): \(e)\n"))
        }
        do {
            switch verb {
            case "mmap":
                guard words.count >= 6 else { throw LineError(message: "mmap needs NAME SIZE PROT private|shared anon|file=NAME [offset=OFF] [at=ADDR]") }
                let mapName = words[1]
                let length = try Self.size(words[2], "size")
                guard length > 0 else { throw LineError(message: "a mapping needs at least one byte") }
                let prot = try Self.protection(words[3])
                guard words[4] == "private" || words[4] == "shared" else { throw LineError(message: "'\(words[4])': say private or shared") }
                let shared = words[4] == "shared"
                var file: Int?
                if words[5].hasPrefix("file=") {
                    let f = String(words[5].dropFirst(5))
                    guard let id = fileIDs[f] else {
                        throw LineError(message: "unknown file '\(f)'" + (fileIDs.isEmpty ? " (declare it with `file NAME SIZE`)" : " (files: \(fileIDs.keys.sorted().joined(separator: ", ")))"))
                    }
                    file = id
                } else if words[5] != "anon" {
                    throw LineError(message: "'\(words[5])': say anon or file=NAME")
                }
                var at: UInt64?, offset: UInt64 = 0
                for w in words.dropFirst(6) {
                    if w.hasPrefix("at=") {
                        let a = try Self.address(String(w.dropFirst(3)))
                        guard a & 4095 == 0 else { throw LineError(message: "at=\(w.dropFirst(3)) is not page-aligned") }
                        at = a
                    } else if w.hasPrefix("offset="), file != nil {
                        offset = try Self.size(String(w.dropFirst(7)), "offset")
                        guard offset & 4095 == 0 else { throw LineError(message: "offset=\(w.dropFirst(7)) is not page-aligned") }
                    } else {
                        throw LineError(message: "'\(w)': the options are at=ADDR and, for a file, offset=OFF")
                    }
                }
                do throws(KernelError) {
                    let start: UInt64
                    if let file {
                        start = try m.mmap(pid, file: file, offset: offset, at: at, length: length, protection: prot, shared: shared)
                    } else {
                        start = try m.mmap(pid, at: at, length: length, protection: prot, shared: shared, name: mapName)
                    }
                    mappings[group(pid)]![mapName] = (start, (length + 4095) & ~4095)
                } catch { errno(error) }
            case "touch":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count >= 5 else { throw LineError(message: "touch needs NAME OFFSET LENGTH read|write|exec [step=SIZE]") }
                let kind = try Self.kind(words[4])
                var step: UInt64 = 4096
                for w in words.dropFirst(5) {
                    guard w.hasPrefix("step=") else { throw LineError(message: "'\(w)': the only option is step=SIZE") }
                    step = try Self.size(String(w.dropFirst(5)), "step")
                    guard step > 0 else { throw LineError(message: "step must be at least 1 byte") }
                }
                result(try m.touch(pid, start, length: length, kind, step: step))
            case "fill":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count == 5, words[4].hasPrefix("pattern=") else { throw LineError(message: "fill needs NAME OFFSET LENGTH pattern=index|zero|N") }
                let p = String(words[4].dropFirst(8))
                let pattern: FillPattern
                switch p {
                case "index": pattern = .index
                case "zero": pattern = .zero
                default:
                    guard let n = UInt64(p), n < 1 << 62 else { throw LineError(message: "pattern=\(p): give index, zero or a number below 2^62") }
                    pattern = .value(n)
                }
                result(try m.fill(pid, start, length: length, pattern: pattern, from: try mapping(pid, words[1], process: name).start))
            case "read", "write", "exec":
                let (address, _) = try range(pid, words, at: 1, process: name, withLength: false)
                result(try m.access(pid, address, try Self.kind(verb)))
            case "access":
                guard words.count == 3 else { throw LineError(message: "access needs ADDR read|write|exec") }
                result(try m.access(pid, try Self.address(words[1]), try Self.kind(words[2])))
            case "mprotect":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count == 5 else { throw LineError(message: "mprotect needs NAME OFFSET LENGTH PROT") }
                let prot = try Self.protection(words[4])
                do throws(KernelError) { try m.mprotect(pid, start & ~4095, length: length, protection: prot) } catch { errno(error) }
            case "madvise":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count == 5 else { throw LineError(message: "madvise needs NAME OFFSET LENGTH ADVICE") }
                guard let advice = MadviseAdvice(rawValue: words[4]) else {
                    throw LineError(message: "'\(words[4])' is not advice (dontneed, free, hugepage, nohugepage, mergeable, unmergeable)")
                }
                do throws(KernelError) { try m.madvise(pid, start & ~4095, length: length, advice) } catch { errno(error) }
            case "mremap":
                guard words.count == 3 else { throw LineError(message: "mremap needs NAME NEWSIZE") }
                let old = try mapping(pid, words[1], process: name)
                let newLength = try Self.size(words[2], "size")
                guard newLength > 0 else { throw LineError(message: "mremap needs a size of at least one byte") }
                do throws(KernelError) {
                    let start = try m.mremap(pid, old.start, oldLength: old.length, newLength: newLength)
                    mappings[group(pid)]![words[1]] = (start, (newLength + 4095) & ~4095)
                } catch { errno(error) }
            case "msync":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count == 4 else { throw LineError(message: "msync needs NAME OFFSET LENGTH") }
                do throws(KernelError) { try m.msync(pid, start & ~4095, length: length) } catch { errno(error) }
            case "munmap":
                let (start, length) = try range(pid, words, at: 1, process: name, withLength: true)
                guard words.count == 4 else { throw LineError(message: "munmap needs NAME OFFSET LENGTH") }
                do throws(KernelError) { try m.munmap(pid, start & ~4095, length: length) } catch { errno(error) }
            case "brk":
                guard words.count == 2, let sign = words[1].first, sign == "+" || sign == "-" else {
                    throw LineError(message: "brk needs +SIZE or -SIZE")
                }
                let amount = try Self.size(String(words[1].dropFirst()), "brk change")
                guard amount < 1 << 46 else { throw LineError(message: "brk change \(words[1]) is too large") }
                let before = m.mm(of: pid)!.brk
                let after = try m.brk(pid, delta: sign == "+" ? Int64(amount) : -Int64(amount))
                if after == before && amount > 0 {
                    events.append(.init(line: line, kind: "errno", text: "\(name) brk \(words[1]): refused, the break stays at 0x\(String(before, radix: 16))\n"))
                }
                mappings[group(pid)]!["[heap]"] = (m.mm(of: pid)!.startBrk, (after - m.mm(of: pid)!.startBrk + 4095) & ~4095)
                if after == m.mm(of: pid)!.startBrk { mappings[group(pid)]!["[heap]"] = nil }
            case "fork":
                guard words.count == 2 else { throw LineError(message: "fork needs the child's name") }
                let child = words[1]
                guard pids[child] == nil, child.first?.isLetter == true, !Self.reservedNames.contains(child), guests[child] == nil else {
                    throw LineError(message: "'\(child)' cannot name the child: it exists already or is not a name")
                }
                do throws(KernelError) {
                    let c = try m.fork(pid, name: child)
                    pids[child] = c
                    mappings[c] = mappings[group(pid)]
                } catch { errno(error) }
            case "exit":
                guard words.count == 1 else { throw LineError(message: "exit takes nothing") }
                if m.task(pid).tgid == pid { try m.exit(pid) } else { try m.exitThread(pid) }
            case "replay":
                guard words.count == 2 else { throw LineError(message: "replay needs a trace file") }
                try replay(&m, pid: pid, name: name, path: words[1], line: line)
            default:
                throw LineError(message: "unknown command '\(verb)' (mmap, touch, fill, read, write, exec, access, mprotect, madvise, mremap, msync, munmap, brk, fork, exit, replay)")
            }
        } catch let e as LineError {
            throw e
        } catch let e as KernelError {
            // Calls the runner made only for running processes: a machine error here is a
            // result the kernel returned.
            errno(e)
        } catch {
            throw LineError(message: "\(error)")
        }
    }

    mutating func replay(_ m: inout Machine, pid: Int, name: String, path: String, line: Int) throws(LineError) {
        let full = path.hasPrefix("/") || directory == "." ? path : directory + "/" + path
        var stats = replayStats ?? ReplayStats()
        let before = stats
        do {
            let reader = try AccessTrace.openAddresses(full, displayName: path)
            if reader.format == .lackey {
                // A Lackey log: its system calls (when recorded with --trace-syscalls=yes) replay
                // too, through the recording's reader, which reads the log afresh.
                var r = RecordingReplay(directory: ".", manifest: RecordingManifest(), eventLine: line)
                r.stats = stats
                r.series = series
                try r.replay(&m, log: full, pid: pid)
                stats = r.stats
                series = r.series ?? series
                events += r.events
                if !r.summary.syscalls.isEmpty || !r.summary.skipped.isEmpty {
                    let calls = r.summary.syscalls.reduce(0) { $0 + $1.1 }, skipped = r.summary.skipped.reduce(0) { $0 + $1.1 }
                    events.append(.init(line: line, kind: "note", text: "\(name) replay \(path): \(calls) system calls replayed, \(skipped) skipped, \(r.summary.diverged) that succeeded in the recording failed here\n"))
                }
            } else {
                var outcome = AccessOutcome.done
                while outcome == .done && !Interrupt.requested {
                    let batch = try reader.nextBatch()
                    if batch.isEmpty { break }
                    outcome = try m.replay(pid, UnsafeBufferPointer(batch), stats: &stats)
                    series.step { m.seriesSample }
                    ProgressMeter.update(records: batch.count)
                }
                if case .killed(let signal) = outcome, signal != .oomKill {
                    events.append(.init(line: line, kind: "signal", text: "\(name): \(signal) at 0x\(String(m.task(pid).faultAddress ?? 0, radix: 16)) during replay; \(name) (pid \(pid)) is killed\n"))
                }
            }
        } catch let e as TraceError {
            throw LineError(message: e.description)
        } catch {
            throw LineError(message: "\(path): \(error)")
        }
        replayStats = stats
        let mapped = stats.pagesMappedOnTouch - before.pagesMappedOnTouch
        events.append(.init(line: line, kind: "note", text: "\(name) replay \(path): \(stats.records - before.records) records, \(stats.accesses - before.accesses) page accesses; \(mapped) pages (\(ByteSize.format(UInt64(mapped) << 12))) outside every VMA mapped on first touch as anonymous memory ([replay])\n"))
    }

    // MARK: show

    mutating func show(_ words: [String], line: Int) throws(LineError) {
        let m = try booted(line: line)
        let text: String
        switch words.count {
        case 2:
            switch words[1] {
            case "vmstat": text = m.procVmstat
            case "meminfo": text = m.procMeminfo
            case "buddyinfo": text = ProcFiles.buddyinfo(m.memory.phys)
            case "zoneinfo": text = ProcFiles.zoneinfo(m.memory.phys)
            case "slabinfo": text = ProcFiles.slabinfo(m.slub)
            case "ksm": text = m.ksmText
            case "lru_gen":
                guard let t = m.lruGenText else { throw LineError(message: "show lru_gen: this machine runs the two-list LRU; give machine lru=mglru") }
                text = t
            default: throw LineError(message: "cannot show '\(words[1])' (vmstat, meminfo, buddyinfo, zoneinfo, slabinfo, lru_gen, ksm, PROCESS maps|status|smaps_rollup|oom_score, or CGROUP memory.current ...)")
            }
        case 3 where words[2].hasPrefix("memory.") || words[2].hasPrefix("cgroup."):
            guard let g = cgroups[words[1]] else {
                throw LineError(message: "unknown cgroup '\(words[1])'" + (cgroups.isEmpty ? "" : " (cgroups: \(cgroups.keys.sorted().joined(separator: ", ")))"))
            }
            guard let t = m.cgroupFile(g, words[2]) else {
                throw LineError(message: "a cgroup has no file '\(words[2])' (\(Machine.cgroupFiles.joined(separator: ", ")))")
            }
            events.append(.init(line: line, kind: "show", text: "/sys/fs/cgroup\(m.cgroupPath(g))/\(words[2])\n\(t)"))
            return
        case 3:
            guard let pid = pids[words[1]] else { throw LineError(message: "unknown process '\(words[1])'") }
            let t = m.task(pid)
            if t.state != .running {
                if t.state == .exited { throw LineError(message: "process \(words[1]) has exited") }
                events.append(.init(line: line, kind: "skipped", text: "show \(words[1]) \(words[2]): skipped, \(words[1]) was killed by \(t.signal?.description ?? "a signal")\n"))
                return
            }
            switch words[2] {
            case "maps": text = m.procMaps(pid) ?? ""
            case "status": text = m.procStatus(pid) ?? ""
            case "smaps_rollup": text = m.procSmapsRollup(pid) ?? ""
            case "oom_score": text = "\(m.oomScore(pid))\n"
            default: throw LineError(message: "cannot show '\(words[2])' of a process (maps, status, smaps_rollup, oom_score)")
            }
        default:
            throw LineError(message: "show needs a file: show vmstat, or show PROCESS maps")
        }
        let title = words.count == 2 ? (words[1] == "ksm" ? "/sys/kernel/mm/ksm" : "/proc/\(words[1])") : "/proc/\(pids[words[1]]!)/\(words[2])  (\(words[1]))"
        events.append(.init(line: line, kind: "show", text: "\(title)\n\(text)"))
    }
}
