#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim
import VMTrace

/// A recording folder's manifest (`recording.txt`, written by `vmsim record`): one `KEY VALUE...`
/// line each, `#` comments.
///
///     command ./t arg
///     cwd /home/me
///     exit-status 0
///     native minor-faults=120 major-faults=0 max-rss-kb=1388
///     process 2113 lackey.2113.1
///     child 2114 of 2113 lackey.2114.1
///     heap 2113 memcheck.2113.1
///     file /lib/x86_64-linux-gnu/libc.so.6 2125328
public struct RecordingManifest: Sendable {
    public var command: [String] = []
    public var cwd = ""
    public var date = ""
    public var valgrind = ""
    public var exitStatus: Int?
    /// What the real kernel measured for a native run of the program.
    public var native: RunReport.NativeRun?
    /// The Lackey logs per recorded pid, in exec order; the first process first.
    public var logs: [(pid: Int, files: [String])] = []
    /// The memcheck `--trace-malloc` logs per recorded pid.
    public var heapLogs: [Int: [String]] = [:]
    /// The sizes of the files the program opened, by path.
    public var fileSizes: [String: UInt64] = [:]
    /// Other lines, kept for the report (sizes of the logs).
    public var extra: [String] = []

    public init() {}

    /// The manifest's name in a recording folder.
    public static let fileName = "recording.txt"

    /// Parses `text`, naming `file` in errors.
    /// - Throws: `TraceError` with the line of a malformed entry.
    /// - Complexity: O(text).
    public static func parse(_ text: String, file: String) throws(TraceError) -> RecordingManifest {
        var m = RecordingManifest()
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let line = raw.hasPrefix("#") ? "" : raw
            let words = line.split(separator: " ").map(String.init)
            guard let key = words.first else { continue }
            func bad(_ why: String) -> TraceError { TraceError(file: file, location: .line(n), message: why) }
            switch key {
            case "command": m.command = Array(words.dropFirst())
            case "cwd": m.cwd = words.dropFirst().joined(separator: " ")
            case "date": m.date = words.dropFirst().joined(separator: " ")
            case "valgrind": m.valgrind = words.dropFirst().joined(separator: " ")
            case "exit-status":
                guard words.count == 2, let s = Int(words[1]) else { throw bad("exit-status needs a number") }
                m.exitStatus = s
            case "native":
                var run = RunReport.NativeRun()
                for w in words.dropFirst() {
                    let kv = w.split(separator: "=", maxSplits: 1).map(String.init)
                    guard kv.count == 2, let v = Int(kv[1]) else { throw bad("'\(w)' is not KEY=NUMBER") }
                    switch kv[0] {
                    case "minor-faults": run.minorFaults = v
                    case "major-faults": run.majorFaults = v
                    case "max-rss-kb": run.maxRSSKiB = v
                    case "exit-status": run.exitStatus = v
                    default: throw bad("unknown native measurement '\(kv[0])'")
                    }
                }
                m.native = run
            case "process", "child":
                // process PID LOG...   child PID of PARENT LOG...
                let logStart = key == "child" ? 4 : 2
                guard words.count > logStart, let pid = Int(words[1]), key == "process" || (words[2] == "of" && Int(words[3]) != nil) else {
                    throw bad(key == "child" ? "child needs PID of PARENT LOG..." : "process needs PID LOG...")
                }
                m.logs.append((pid, Array(words[logStart...])))
            case "heap":
                guard words.count >= 3, let pid = Int(words[1]) else { throw bad("heap needs PID LOG...") }
                m.heapLogs[pid, default: []] += words[2...]
            case "file":
                guard words.count >= 3, let size = UInt64(words[words.count - 1]) else { throw bad("file needs PATH SIZE") }
                m.fileSizes[words[1..<(words.count - 1)].joined(separator: " ")] = size
            default: m.extra.append(String(line))
            }
        }
        guard !m.logs.isEmpty else { throw TraceError(file: file, message: "names no Lackey log (a 'process PID LOG' line)") }
        return m
    }
}

/// Replays Valgrind Lackey logs recorded with `--trace-syscalls=yes` through a `Machine`: the
/// accesses through `Machine.replay`, the system calls as the program made them (mmap, munmap,
/// mprotect, mremap, madvise and brk at the addresses the recording returned; openat and close to
/// name the files mmap maps, which become page-cache files shared by every process of the
/// recording; clone and fork as `fork`, the child's own log replayed when the parent waits for it
/// or ends; execve as `exec`; exit_group as `exit`). Other calls are counted and skipped. Memory
/// Valgrind mapped before the first traced call (the executable, the loader, the stack) is mapped
/// on first touch (`[replay]`), and so are the parts of an mprotect, munmap or mremap range that
/// lie in it.
public struct RecordingReplay {
    /// Where relative log names and paths are found.
    public let directory: String
    /// The manifest (an empty one for a lone log).
    public let manifest: RecordingManifest
    /// What the replay did, for the report.
    public private(set) var summary = RunReport.Recording()
    /// Events for the report (notes, divergences).
    public private(set) var events: [RunReport.Event] = []
    /// The replay's access counts.
    public var stats = ReplayStats()
    /// The machine over time, a step per replayed batch, when the caller records it (`vmsim run`).
    public var series: SeriesSampler?
    /// Whether Ctrl-C stopped the replay.
    public private(set) var interrupted = false

    var fileIDs: [String: Int] = [:]
    var fds: [Int: [UInt64: String]] = [:]
    /// Recorded pid → the machine's pid.
    var simPid: [Int: Int] = [:]
    /// Recorded pid → its logs not yet replayed.
    var logsLeft: [Int: [String]] = [:]
    /// Children forked and not yet replayed, per recorded parent.
    var children: [Int: [Int]] = [:]
    var brkSeen: Set<Int> = []
    var skipped: [String: Int] = [:]
    var replayed: [String: Int] = [:]
    var eventLine = 0
    /// The log a workload's `replay` line names (children's logs are found beside it).
    var loneLog: String?

    /// A replay of the logs in `directory` that `manifest` names.
    public init(directory: String, manifest: RecordingManifest, eventLine: Int = 0) {
        self.directory = directory
        self.manifest = manifest
        self.eventLine = eventLine
        for (pid, files) in manifest.logs { logsLeft[pid, default: []] += files }
        summary.command = manifest.command
        summary.native = manifest.native
    }

    func path(_ name: String) -> String { name.hasPrefix("/") || directory == "." ? name : directory + "/" + name }

    /// Replays the first process of the manifest in a new process of `m`.
    /// - Throws: `TraceError` for a log that cannot be read or holds a malformed line.
    /// - Complexity: O(records + system calls) through the machine.
    public mutating func run(_ m: inout Machine) throws(TraceError) {
        guard let first = manifest.logs.first else { return }
        let name = manifest.command.first.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? "program"
        let pid: Int
        do throws(KernelError) { pid = try m.createProcess(name: name) } catch {
            throw TraceError(file: directory, message: "cannot create the process: \(error)")
        }
        try replayProcess(&m, recorded: first.pid, pid: pid)
        finishSummary(m)
    }

    /// Replays the log at `log` in machine process `pid` (a workload's `A replay app.lackey`);
    /// a child whose log lies beside it (`NAME.CHILDPID[.N]`) is replayed too.
    /// - Throws: `TraceError` for a log that cannot be read or holds a malformed line.
    /// - Complexity: O(records + system calls).
    public mutating func replay(_ m: inout Machine, log: String, pid: Int) throws(TraceError) {
        let recorded = -pid
        logsLeft[recorded] = [log]
        loneLog = path(log)
        try replayProcess(&m, recorded: recorded, pid: pid)
        finishSummary(m)
    }

    mutating func finishSummary(_ m: Machine) {
        summary.syscalls = replayed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        summary.skipped = skipped.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        summary.pagesMappedOnTouch = stats.pagesMappedOnTouch
        summary.records = stats.records
        summary.accesses = stats.accesses
        summary.pageCachePages = m.pageCachePages
    }

    mutating func note(_ kind: String, _ text: String) {
        events.append(.init(line: eventLine, kind: kind, text: text + "\n"))
    }

    mutating func replayProcess(_ m: inout Machine, recorded: Int, pid: Int) throws(TraceError) {
        simPid[recorded] = pid
        let index = summary.processes.count
        summary.processes.append(.init(recordedPid: recorded, pid: pid, name: m.task(pid).name))
        while let log = logsLeft[recorded]?.first {
            logsLeft[recorded]!.removeFirst()
            summary.processes[index].logs.append(log)
            let recording = try LackeyRecording.open(path(log), displayName: log)
            var exited = false, execed = false
            var outcome = AccessOutcome.done
            steps: while let step = try recording.next() {
                // Ctrl-C: stop after this batch; what ran is reported, partial.
                if Interrupt.requested { interrupted = true; break steps }
                if outcome == .done && !step.accesses.isEmpty {
                    do throws(KernelError) {
                        outcome = try m.replay(pid, step.accesses, stats: &stats)
                    } catch {
                        outcome = .killed(m.task(pid).signal ?? .oomKill)
                    }
                    series?.step { m.seriesSample }
                    ProgressMeter.update(records: step.accesses.count)
                    if case .killed(let signal) = outcome {
                        summary.processes[index].signal = signal.description
                        if signal != .oomKill {
                            let n = m.task(pid).name
                            note("signal", "\(n): \(signal) at 0x\(String(m.task(pid).faultAddress ?? 0, radix: 16)) during replay; \(n) (pid \(pid)) is killed")
                        }
                        break steps
                    }
                }
                for call in step.syscalls {
                    sample(m, index)
                    switch try apply(&m, call, recorded: recorded, pid: pid, index: index, lastLine: recording.line) {
                    case .goOn: break
                    case .exited: exited = true
                    case .execed: execed = true
                    }
                    if m.task(pid).state != .running { break steps }
                }
                sample(m, index)
            }
            if interrupted { return }
            if let at = recording.truncatedAt {
                summary.truncated.append("\(log): cut at line \(at); replayed up to it")
                note("note", "\(log): the log ends in the middle of line \(at) (truncated); replayed what comes before it")
            } else if !exited && !execed && m.task(pid).state == .running && recording.sawSyscalls {
                let pending = recording.pendingAtEnd.map { "\($0.name) of line \($0.line)" }
                summary.truncated.append("\(log): ends at line \(recording.line) before the process exited" + (pending.isEmpty ? "" : " (waiting: \(pending.joined(separator: ", ")))"))
                note("note", "\(log): ends at line \(recording.line) without the process's exit_group (a cut log?); replayed what it holds")
            }
            if m.task(pid).state != .running { break }
            if exited { break }
        }
        // Children never waited for run now, then the process is done.
        try replayChildren(&m, of: recorded)
        if m.task(pid).state == .running { sample(m, index) }
    }

    mutating func replayChildren(_ m: inout Machine, of recorded: Int, only child: Int? = nil) throws(TraceError) {
        let list = children[recorded] ?? []
        for c in list where child == nil || c == child {
            children[recorded]!.removeAll { $0 == c }
            guard let cpid = simPid[c] else { continue }
            if logsLeft[c] == nil, recorded < 0 { logsLeft[c] = siblingLogs(of: c) }
            if logsLeft[c]?.isEmpty ?? true {
                note("note", "no log for child \(c) (pid \(cpid)): it stays as forked")
                continue
            }
            try replayProcess(&m, recorded: c, pid: cpid)
        }
    }

    /// For a lone log `STEM.PID[.N]`: the logs `STEM.CHILD[.N]` of `child` beside it, in order.
    func siblingLogs(of child: Int) -> [String] {
        guard let lone = loneLog else { return [] }
        let slash = lone.lastIndex(of: "/")
        let dir = slash.map { String(lone[..<$0]) } ?? "."
        let base = slash.map { String(lone[lone.index(after: $0)...]) } ?? lone
        guard let dot = base.firstIndex(of: ".") else { return [] }
        let stem = base[..<dot]
        let prefix = "\(stem).\(child)"
        let names = listDirectory(dir).filter { $0 == prefix || $0.hasPrefix(prefix + ".") }.sorted()
        return names.map { dir == "." && slash == nil ? $0 : dir + "/" + $0 }
    }

    enum After { case goOn, exited, execed }

    /// Records the process's memory now, keeping the peak.
    mutating func sample(_ m: Machine, _ index: Int) {
        let pid = summary.processes[index].pid
        guard let mm = m.mm(of: pid) else { return }
        var p = summary.processes[index]
        p.finalAnonPages = mm.anonPages + mm.shmemPages
        p.finalFilePages = mm.filePages
        p.hiwaterRSS = max(p.hiwaterRSS, mm.hiwaterRSS)
        p.minorFaults = m.task(pid).minorFaults
        p.majorFaults = m.task(pid).majorFaults
        if mm.rss > p.peakAnonPages + p.peakFilePages || (p.peakVMAs == 0 && mm.vmas.count > 0) {
            p.peakAnonPages = mm.anonPages + mm.shmemPages
            p.peakFilePages = mm.filePages
            p.peakVMAs = mm.vmas.count
            // The five largest (lowest address on ties), kept in one pass: a new peak comes with
            // every RSS growth, and a process may have thousands of VMAs.
            var top: [VMA] = []
            for v in mm.vmas.vmas {
                guard top.count < 5 || v.length > top[4].length else { continue }
                let at = top.firstIndex { v.length > $0.length } ?? top.count
                top.insert(v, at: at)
                if top.count > 5 { top.removeLast() }
            }
            p.largestAtPeak = top.map { .init(start: $0.start, end: $0.end, perms: $0.flags.mapsPerms, name: m.mapsName($0, mm)) }
        }
        summary.processes[index] = p
    }

    /// A system call, done by the machine as the recording says it went.
    mutating func apply(_ m: inout Machine, _ call: RecordedSyscall, recorded: Int, pid: Int, index: Int, lastLine: Int) throws(TraceError) -> After {
        func count() { replayed[call.name, default: 0] += 1 }
        func diverged(_ e: KernelError) {
            summary.diverged += 1
            if summary.diverged <= 10 {
                note("note", "line \(call.line): \(call.name) succeeded in the recording but not here: \(e)")
            }
        }
        let ret = call.returned
        if case .failure = call.result {
            summary.failedInRecording += 1
            return .goOn
        }
        let name = call.name.hasPrefix("sys_") ? String(call.name.dropFirst(4)) : call.name
        do {
            switch name {
            case "mmap":
                guard let start = ret, let length = call.number(1), let prot = call.number(2), let flags = call.number(3),
                      let fd = call.number(4), let offset = call.number(5), length > 0 else { break }
                count()
                let protection = Self.protection(prot)
                let shared = flags & 0x3 != 0 && flags & 0x3 != 2   // MAP_SHARED or MAP_SHARED_VALIDATE
                if flags & 0x20 != 0 {
                    try m.mmap(pid, at: start, length: length, protection: protection, shared: shared)
                } else {
                    let file = fileID(&m, fds[pid]?[fd & 0xffff_ffff] ?? "fd \(fd)", atLeast: offset + length)
                    try m.mmap(pid, file: file, offset: offset & ~4095, at: start, length: length, protection: protection, shared: shared)
                }
                if flags & 0x8000 != 0 {
                    // MAP_POPULATE: populate_vma_page_range faults every page in (a write for private writable memory).
                    let kind: AccessKind = protection.contains(.write) && !shared ? .store : .load
                    _ = try m.touch(pid, start, length: length, kind)
                }
            case "munmap":
                guard let start = call.number(0), let length = call.number(1), length > 0 else { break }
                count()
                try m.munmap(pid, start & ~4095, length: length + (start & 4095))
            case "mprotect":
                guard let start = call.number(0), let length = call.number(1), let prot = call.number(2), length > 0 else { break }
                count()
                m.mapUntraced(pid, start..<(start + length))
                try m.mprotect(pid, start, length: length, protection: Self.protection(prot))
            case "mremap":
                guard let new = ret, let old = call.number(0), let oldLength = call.number(1), let newLength = call.number(2),
                      let flags = call.hexNumber(3) ?? call.number(3) else { break }
                count()
                m.mapUntraced(pid, old..<(old + max(oldLength, 1)))
                try m.mremap(pid, old, oldLength: oldLength, newLength: newLength, mayMove: flags & 1 != 0, newAddress: new)
            case "madvise":
                guard let start = call.number(0), let length = call.number(1), let advice = call.number(2), length > 0 else { break }
                guard let a = Self.advice(advice) else {
                    skipped["madvise(\(advice))", default: 0] += 1
                    break
                }
                count()
                try m.madvise(pid, start, length: length, a)
            case "brk":
                guard let now = ret else { break }
                count()
                let mm = m.mm(of: pid)!
                if !brkSeen.contains(pid) {
                    brkSeen.insert(pid)
                    if mm.brk == mm.startBrk && now != mm.brk { try m.setBrkBase(pid, now) }
                }
                let current = m.mm(of: pid)!.brk
                if now != current {
                    try m.brk(pid, delta: now > current ? Int64(now - current) : -Int64(current - now))
                }
            case "openat", "open":
                guard let fd = ret else { break }
                count()
                let pathArg = name == "open" ? 0 : 1
                var p = call.string(pathArg) ?? "fd \(fd)"
                if !p.hasPrefix("/") {
                    let dirfd = name == "openat" ? (call.number(0) ?? 0) & 0xffff_ffff : 0xffff_ff9c
                    let base = dirfd == 0xffff_ff9c ? manifest.cwd : (fds[pid]?[dirfd] ?? "")
                    if !base.isEmpty { p = base + "/" + p }
                }
                fds[pid, default: [:]][fd] = p
            case "close":
                guard let fd = call.number(0) else { break }
                count()
                fds[pid]?[fd & 0xffff_ffff] = nil
            case "dup", "dup2", "dup3":
                guard let fd = ret, let old = call.number(0) else { break }
                count()
                fds[pid, default: [:]][fd] = fds[pid]?[old & 0xffff_ffff]
            case "clone", "fork", "vfork", "clone3":
                let flags = name == "clone" ? (call.hexNumber(0) ?? 0) : 0
                if flags & 0x100 != 0 {
                    // CLONE_VM: a thread. Its accesses are in this log; the machine gets the thread.
                    count()
                    try m.createThread(pid)
                    summary.processes[index].threads += 1
                    break
                }
                guard let child = call.child ?? ret.map(Int.init), child > 0 else { break }
                count()
                let c = try m.fork(pid, name: m.task(pid).name)
                simPid[child] = c
                fds[c] = fds[pid]
                children[recorded, default: []].append(child)
            case "wait4", "waitid":
                count()
                if let r = ret, r > 0, children[recorded]?.contains(Int(r)) == true {
                    try replayChildren(&m, of: recorded, only: Int(r))
                }
            case "execve":
                // A log ends on a successful exec (no result printed); an exec that failed printed Failure.
                guard call.result == .none || ret != nil else { break }
                count()
                try replayChildren(&m, of: recorded)
                sample(m, index)
                try m.exec(pid)
                brkSeen.remove(pid)
                return .execed
            case "exit_group":
                count()
                try replayChildren(&m, of: recorded)
                sample(m, index)
                summary.processes[index].exitStatus = call.number(0).map { Int(truncatingIfNeeded: $0) }
                try m.exit(pid)
                return .exited
            case "exit":
                count()
                if call.tid != 1 {
                    let threads = m.threads(of: pid).filter { m.task($0).state == .running && $0 != pid }
                    if let t = threads.last { try m.exitThread(t) }
                    break
                }
                try replayChildren(&m, of: recorded)
                sample(m, index)
                try m.exit(pid)
                return .exited
            default:
                skipped[call.name, default: 0] += 1
            }
        } catch let e as KernelError {
            diverged(e)
        } catch let e as TraceError {
            throw e
        } catch {
            throw TraceError(file: call.name, message: "\(error)")
        }
        return .goOn
    }

    /// The machine's file for `path`, created at the size the manifest recorded (or large enough
    /// for the mapping), shared by every process of the recording.
    mutating func fileID(_ m: inout Machine, _ path: String, atLeast bytes: UInt64) -> Int {
        if let id = fileIDs[path] {
            if UInt64(m.files[id].pages) << 12 < bytes, manifest.fileSizes[path] == nil { m.extendFile(id, to: bytes) }
            return id
        }
        let id = m.createFile(name: path, size: manifest.fileSizes[path] ?? bytes)
        fileIDs[path] = id
        return id
    }

    static func protection(_ prot: UInt64) -> VMAFlags {
        var p: VMAFlags = []
        if prot & 1 != 0 { p.insert(.read) }
        if prot & 2 != 0 { p.insert(.write) }
        if prot & 4 != 0 { p.insert(.exec) }
        return p
    }

    /// The advice numbers of include/uapi/asm-generic/mman-common.h that change memory.
    static func advice(_ n: UInt64) -> MadviseAdvice? {
        switch n {
        case 4: .dontneed
        case 8: .free
        case 12: .mergeable
        case 13: .unmergeable
        case 14: .hugepage
        case 15: .nohugepage
        default: nil
        }
    }
}

/// The names in directory `path` (none when it cannot be read).
func listDirectory(_ path: String) -> [String] {
    guard let d = opendir(path) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
        let name = withUnsafePointer(to: e.pointee.d_name) { p in
            p.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

extension RecordingReplay {
    /// Whether `path` is a recording folder (it holds `recording.txt`).
    public static func isRecording(_ path: String) -> Bool {
        var st = stat()
        return stat(path + "/" + RecordingManifest.fileName, &st) == 0
    }

    /// Replays the recording in folder `directory` on a machine of `config` (the process's heap
    /// log, when recorded, through `heap`), and reports it as `vmsim run` does.
    /// - Throws: `TraceError` for a missing or malformed manifest or log.
    /// - Complexity: O(records + system calls + heap operations).
    public static func run(directory: String, config: MachineConfig, heap: HeapPolicy = .best) throws(TraceError) -> RunReport {
        let manifestPath = directory + "/" + RecordingManifest.fileName
        let text = try ByteStream.open(manifestPath).readText(limit: 16 << 20, what: "a recording manifest")
        let manifest = try RecordingManifest.parse(text, file: manifestPath)
        for (_, files) in manifest.logs {
            for f in files {
                var st = stat()
                let p = f.hasPrefix("/") ? f : directory + "/" + f
                guard stat(p, &st) == 0 else {
                    throw TraceError(file: manifestPath, message: "the log \(f) it names is missing from \(directory)")
                }
            }
        }
        var m: Machine
        do throws(KernelError) { m = try Machine(config) } catch {
            throw TraceError(file: directory, message: "cannot build the machine: \(error)")
        }
        var replay = RecordingReplay(directory: directory, manifest: manifest)
        replay.series = SeriesSampler(unit: "steps", columns: [])
        try replay.run(&m)
        for i in replay.summary.processes.indices {
            let recorded = replay.summary.processes[i].recordedPid
            guard let logs = manifest.heapLogs[recorded], let log = logs.last else { continue }
            let report = try HeapReplay.run(path: replay.path(log), format: .valgrind, policies: [heap], model: .glibcLike)
            guard let r = report.results.first?.stats else { continue }
            var h = RunReport.Recording.Heap(log: log, allocator: heap.rawValue, allocs: r.allocs, frees: r.frees, bytesAllocated: r.bytesAllocated,
                                             inUseAtExitBytes: r.inUseAtExitBytes, inUseAtExitBlocks: r.inUseAtExitBlocks,
                                             peakPayload: r.peakPayload, heapSize: r.heapSize)
            h.mmaps = r.mmaps
            h.mmappedBytesPeak = r.mmappedBytesPeak
            h.mmapThresholdAtExit = r.mmapThresholdAtExit
            if let s = report.details.memcheck {
                h.memcheck = (s.allocs, s.frees, s.bytesAllocated, s.inUseAtExitBytes, s.inUseAtExitBlocks)
            }
            replay.summary.processes[i].heap = h
        }
        var r = m.report(workload: directory, events: replay.events, replay: replay.stats)
        r.recording = replay.summary
        if SeriesSampler.isEnabled, var s = replay.series { r.series = s.finished { m.seriesSample } }
        return r
    }
}
