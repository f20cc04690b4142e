#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim
import VMTrace

/// `vmsim record`: runs a program natively (keeping what the real kernel measured, from the
/// child's `getrusage`), then under Valgrind Lackey (`--trace-mem=yes --trace-syscalls=yes`, one
/// log per process) and memcheck (`--trace-malloc=yes`), and writes a recording folder with a
/// manifest (`recording.txt`) that `vmsim run FOLDER` replays. Everything is written into a
/// temporary folder beside the target and renamed into place at the end, so a failure leaves
/// nothing behind.
public struct Recorder {
    public var program: [String]
    public var out: String
    public var heap = true
    public var children = false
    /// Logs larger than this are compressed with zstd (when installed).
    public var compressAbove: UInt64 = 64 << 20

    /// What a recording produced.
    public struct Result {
        public var directory: String
        public var exitStatus: Int32
        public var native: RunReport.NativeRun
        public var logs: [(String, UInt64)]
        public var manifest: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(program: [String], out: String, heap: Bool = true, children: Bool = false) {
        self.program = program
        self.out = out
        self.heap = heap
        self.children = children
    }

    /// The executable `name` resolves to on PATH (or itself when it has a slash), if it exists.
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let p = "\(dir)/\(name)"
            var st = stat()
            if stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && access(p, X_OK) == 0 { return p }
        }
        return nil
    }

    /// Records. The program's own output passes through from the native run.
    /// - Throws: `Failure` with a message for a missing program or Valgrind, an unwritable
    ///   folder, or Valgrind failing; nothing is left behind then.
    public func record() throws(Failure) -> Result {
        guard let first = program.first else { throw Failure(description: "give the program to record after --") }
        guard Self.which(first) != nil else {
            throw Failure(description: "\(first): no such program" + (first.contains("/") ? "" : " on PATH") + " (or it is not executable)")
        }
        guard let valgrind = Self.which("valgrind") else {
            throw Failure(description: "valgrind is not installed; install it (Debian, Ubuntu: sudo apt-get install valgrind) and record again")
        }
        var st = stat()
        if stat(out, &st) == 0 {
            throw Failure(description: "\(out) exists already; remove it or give another --out")
        }
        let parent = out.contains("/") ? String(out[..<out.lastIndex(of: "/")!]) : "."
        let tmp = (parent == "." && !out.hasPrefix("./") ? "" : parent + "/") + ".vmsim-record-\(getpid())-" + (out.split(separator: "/").last.map(String.init) ?? "rec")
        guard mkdir(tmp, 0o755) == 0 else {
            throw Failure(description: "cannot write the recording folder \(out): \(String(cString: strerror(errno)))")
        }
        do throws(Failure) {
            let result = try recordInto(tmp, valgrind: valgrind)
            guard rename(tmp, out) == 0 else {
                throw Failure(description: "cannot move the recording to \(out): \(String(cString: strerror(errno)))")
            }
            var r = result
            r.directory = out
            return r
        } catch {
            removeTree(tmp)
            throw error
        }
    }

    func recordInto(_ dir: String, valgrind: String) throws(Failure) -> Result {
        var cwd = [CChar](repeating: 0, count: 4096)
        let here = getcwd(&cwd, cwd.count) != nil ? String(decoding: cwd.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "."
        // 1. Natively: the program's output and exit status pass through.
        // Through GNU time when installed: exec keeps the larger of the old and new address
        // spaces' peaks in ru_maxrss (`setmax_mm_hiwater_rss` in exec_mmap), so a program started
        // straight from this process would report this process's peak; time forks it from a small one.
        var run = RunReport.NativeRun()
        let native: Spawned
        if access("/usr/bin/time", X_OK) == 0 {
            let measured = "\(dir)/.native-rusage"
            native = try spawn(["/usr/bin/time", "-f", "%R %F %M", "-o", measured] + program, stdout: nil, stderr: nil)
            let fields = readSmall(measured).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
            unlink(measured)
            guard fields.count >= 3 else { throw Failure(description: "/usr/bin/time measured nothing for \(program[0]) (exit status \(native.status))") }
            (run.minorFaults, run.majorFaults, run.maxRSSKiB) = (fields[fields.count - 3], fields[fields.count - 2], fields[fields.count - 1])
        } else {
            native = try spawn(program, stdout: nil, stderr: nil)
            run.minorFaults = native.usage.ru_minflt
            run.majorFaults = native.usage.ru_majflt
            run.maxRSSKiB = native.usage.ru_maxrss
        }
        run.exitStatus = Int(native.status)
        // 2. Lackey, then 3. memcheck, their output to files in the folder.
        var common = [valgrind]
        if children { common.append("--trace-children=yes") }
        let lackey = try spawn(common + ["--tool=lackey", "--trace-mem=yes", "--trace-syscalls=yes", "--log-file=\(dir)/lackey.%p.%n"] + program,
                               stdout: "\(dir)/program-output.txt", stderr: "\(dir)/valgrind-lackey.stderr")
        var names = listDirectory(dir).filter { $0.hasPrefix("lackey.") }.sorted()
        guard !names.isEmpty else {
            throw Failure(description: "valgrind --tool=lackey wrote no log (exit status \(lackey.status)): " + readSmall("\(dir)/valgrind-lackey.stderr"))
        }
        if heap {
            let mc = try spawn(common + ["--tool=memcheck", "--trace-malloc=yes", "--log-file=\(dir)/memcheck.%p.%n"] + program,
                               stdout: "/dev/null", stderr: "\(dir)/valgrind-memcheck.stderr")
            if !listDirectory(dir).contains(where: { $0.hasPrefix("memcheck.") }) {
                throw Failure(description: "valgrind --tool=memcheck wrote no log (exit status \(mc.status)): " + readSmall("\(dir)/valgrind-memcheck.stderr"))
            }
        }
        for f in ["valgrind-lackey.stderr", "valgrind-memcheck.stderr", "program-output.txt"] where fileSize("\(dir)/\(f)") == 0 { unlink("\(dir)/\(f)") }
        // The processes: the root is the one whose parent was not recorded.
        let lackeyLogs = try names.map { n throws(Failure) in try LogHeader.read("\(dir)/\(n)", name: n) }
        let tree = Self.processTree(lackeyLogs)
        var heapTree: [(pid: Int, parent: Int?, logs: [String])] = []
        if heap {
            let heapNames = listDirectory(dir).filter { $0.hasPrefix("memcheck.") }.sorted()
            heapTree = Self.processTree(try heapNames.map { n throws(Failure) in try LogHeader.read("\(dir)/\(n)", name: n) })
        }
        // The sizes of the files the program opened (so that mappings past their end fault as they did).
        var files: [String: UInt64] = [:]
        for log in lackeyLogs {
            for p in log.opened {
                let full = p.hasPrefix("/") ? p : here + "/" + p
                var s = stat()
                if stat(full, &s) == 0 && (s.st_mode & S_IFMT) == S_IFREG { files[full] = UInt64(s.st_size) }
            }
        }
        // Large logs compressed.
        if Self.which("zstd") != nil {
            for n in listDirectory(dir) where n.hasPrefix("lackey.") || n.hasPrefix("memcheck.") {
                if fileSize("\(dir)/\(n)") > compressAbove {
                    let z = try spawn(["zstd", "-q", "--rm", "-T0", "\(dir)/\(n)"], stdout: "/dev/null", stderr: "/dev/null")
                    guard z.status == 0 else { throw Failure(description: "zstd could not compress \(n)") }
                }
            }
        }
        let present = Set(listDirectory(dir))
        func stored(_ n: String) -> String { present.contains(n) ? n : n + ".zst" }
        names = listDirectory(dir).filter { $0.hasPrefix("lackey.") || $0.hasPrefix("memcheck.") }.sorted()
        var text = "# a VMSim recording: `vmsim run` this folder to replay it through the kernel\n"
        text += "command " + program.joined(separator: " ") + "\n"
        text += "cwd \(here)\n"
        text += "date \(Self.utcDate())\n"
        text += "valgrind \(try capture([valgrind, "--version"]).trimmedLine)\n"
        text += "exit-status \(native.status)\n"
        text += "native minor-faults=\(run.minorFaults) major-faults=\(run.majorFaults) max-rss-kb=\(run.maxRSSKiB) exit-status=\(native.status)\n"
        for p in tree {
            let logs = p.logs.map(stored).joined(separator: " ")
            text += p.parent.map { "child \(p.pid) of \($0) \(logs)\n" } ?? "process \(p.pid) \(logs)\n"
        }
        // memcheck's processes are other pids: matched to Lackey's by their place in the tree.
        for (l, h) in zip(tree, heapTree) { text += "heap \(l.pid) " + h.logs.map(stored).joined(separator: " ") + "\n" }
        for (path, size) in files.sorted(by: { $0.key < $1.key }) { text += "file \(path) \(size)\n" }
        var logs: [(String, UInt64)] = []
        for n in names {
            let size = fileSize("\(dir)/\(n)")
            logs.append((n, size))
            text += "log \(n) \(size)\n"
        }
        try write(text, to: "\(dir)/\(RecordingManifest.fileName)")
        return Result(directory: dir, exitStatus: native.status, native: run, logs: logs, manifest: text)
    }

    /// The processes of a recording, the root first, then children in pid order, each with its
    /// logs in exec order (a log that ends in an execve comes before the program it ran).
    static func processTree(_ logs: [LogHeader]) -> [(pid: Int, parent: Int?, logs: [String])] {
        let pids = Set(logs.map(\.pid))
        var byPid: [Int: [LogHeader]] = [:]
        for l in logs { byPid[l.pid, default: []].append(l) }
        var out: [(pid: Int, parent: Int?, logs: [String])] = []
        for pid in byPid.keys.sorted() {
            let ls = byPid[pid]!
            let ordered = ls.sorted { ($0.endsInExec ? 0 : 1, $0.name) < ($1.endsInExec ? 0 : 1, $1.name) }
            let parent = ordered.first!.parent
            out.append((pid, parent.flatMap { pids.contains($0) ? $0 : nil }, ordered.map(\.name)))
        }
        out.sort { ($0.parent == nil ? 0 : 1, $0.pid) < ($1.parent == nil ? 0 : 1, $1.pid) }
        return out
    }

    static func utcDate() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }
}

/// What the header and system calls of one Valgrind log say about its process.
struct LogHeader {
    var name: String
    var pid = 0
    var parent: Int?
    var endsInExec = false
    var opened: [String] = []

    /// Reads `path`'s `==PID== Parent PID: N` line and, for a Lackey log, the paths it opened
    /// and whether it ends in an execve.
    static func read(_ path: String, name: String) throws(Recorder.Failure) -> LogHeader {
        var h = LogHeader(name: name)
        let parts = name.split(separator: ".")
        h.pid = parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
        do {
            if name.hasPrefix("lackey.") {
                let log = try LackeyRecording.open(path)
                var last: RecordedSyscall?
                while let step = try log.next() {
                    for c in step.syscalls {
                        last = c
                        if (c.name == "sys_openat" || c.name == "sys_open"), c.returned != nil, let p = c.string(c.name == "sys_open" ? 0 : 1) {
                            if !h.opened.contains(p) { h.opened.append(p) }
                        }
                    }
                }
                h.endsInExec = last?.name == "sys_execve" && last?.result == RecordedSyscall.Result.none
            } else {
                // A memcheck log of a process that exec'd ends without a HEAP SUMMARY (the process never exited).
                h.endsInExec = !readTail(path, 16384).contains("HEAP SUMMARY:")
            }
            let head = readSmall(path)
            for line in head.split(separator: "\n").prefix(12) {
                if let r = line.firstIndex(of: "P"), line[r...].hasPrefix("Parent PID: ") {
                    h.parent = Int(line[line.index(r, offsetBy: 12)...].firstWord)
                }
            }
        } catch {
            throw Recorder.Failure(description: "\(name): \(error)")
        }
        return h
    }
}

extension Substring {
    /// The first space-separated word.
    var firstWord: Substring { self.drop { $0 == " " }.prefix { $0 != " " } }
}

extension String {
    var trimmedLine: String { String(self.split(separator: "\n").first ?? "") }
}

// MARK: Processes and files

extension Recorder {
    struct Spawned { var status: Int32; var usage: rusage }

    /// Runs `argv` (found on PATH), its stdout and stderr inherited or sent to files, and waits.
    func spawn(_ argv: [String], stdout: String?, stderr: String?) throws(Failure) -> Spawned {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        if let stderr { posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw Failure(description: "cannot run \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw Failure(description: "waiting for \(argv[0]): \(String(cString: strerror(errno)))") }
        }
        // WIFEXITED: the exit status; a signal: 128 + its number, as a shell reports it.
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Spawned(status: code, usage: usage)
    }

    /// The standard output of `argv`.
    func capture(_ argv: [String]) throws(Failure) -> String {
        let file = "/tmp/.vmsim-capture-\(getpid())"
        defer { unlink(file) }
        _ = try spawn(argv, stdout: file, stderr: "/dev/null")
        return readSmall(file)
    }

    func write(_ text: String, to path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}

func fileSize(_ path: String) -> UInt64 {
    var st = stat()
    return stat(path, &st) == 0 ? UInt64(st.st_size) : 0
}

func readSmall(_ path: String) -> String {
    guard let f = fopen(path, "r") else { return "" }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while out.count < 1 << 16 {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        out += buf[..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

/// The last `bytes` bytes of the file at `path`.
func readTail(_ path: String, _ bytes: Int) -> String {
    guard let f = fopen(path, "r") else { return "" }
    defer { fclose(f) }
    if fseek(f, -bytes, SEEK_END) != 0 { rewind(f) }
    var buf = [UInt8](repeating: 0, count: bytes)
    let n = fread(&buf, 1, bytes, f)
    return String(decoding: buf[..<max(0, n)], as: UTF8.self)
}

/// Removes `path` and everything under it.
func removeTree(_ path: String) {
    for n in listDirectory(path) {
        let p = path + "/" + n
        var st = stat()
        if lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { unlink(p) }
    }
    rmdir(path)
}
