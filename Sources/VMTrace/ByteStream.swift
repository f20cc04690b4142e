#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// A source of raw bytes read in chunks: a file, standard input, or the output of a decompressor
/// running in a child process. Never holds more than the caller's buffer.
public final class ByteStream {
    /// The name used in messages: the path, or `<stdin>`.
    public let name: String
    private var fd: Int32
    private let ownsDescriptor: Bool
    /// The decompressor, when the bytes come from one.
    private var child: (pid: pid_t, program: String)?
    /// The compressed file, which the decompressor reads as its standard input: the two share one
    /// file offset, so its position is how far the decompressor has read.
    private var source: Int32 = -1
    /// Bytes of the file, when it is a regular file.
    public private(set) var totalBytes: UInt64?
    /// Bytes read so far (of the stream: decompressed bytes for a compressed file).
    private var bytesRead: UInt64 = 0

    private init(name: String, fd: Int32, ownsDescriptor: Bool, child: (pid_t, String)? = nil, source: Int32 = -1, totalBytes: UInt64? = nil) {
        self.name = name
        self.fd = fd
        self.ownsDescriptor = ownsDescriptor
        self.child = child
        self.source = source
        self.totalBytes = totalBytes
        ProgressMeter.current?.watch(self)
    }

    /// How far into the file the reading is, in bytes of the file (compressed bytes for a compressed
    /// one), or nil when that is unknown (standard input, a pipe).
    public var position: UInt64? {
        guard totalBytes != nil else { return nil }
        if source >= 0 {
            let at = lseek(source, 0, SEEK_CUR)
            return at < 0 ? nil : UInt64(at)
        }
        return bytesRead
    }

    deinit {
        if ownsDescriptor && fd >= 0 { close(fd) }
        if source >= 0 { close(source) }
        if let c = child {
            // Closing the pipe makes an unfinished decompressor exit on SIGPIPE; reap it.
            var status: Int32 = 0
            _ = waitpid(c.pid, &status, 0)
        }
    }

    /// Standard input.
    /// - Complexity: O(1).
    public static func standardInput() -> ByteStream {
        ByteStream(name: "<stdin>", fd: STDIN_FILENO, ownsDescriptor: false)
    }

    /// Opens `path` for reading: `-` is standard input; a file compressed with zstd or gzip (by its
    /// `.zst`/`.gz` name or its magic number) is read through `zstd -dc` or `gzip -dc`.
    /// `displayName` replaces the path in messages (a spooled copy of standard input is `<stdin>`).
    /// - Complexity: O(1): one open and a 4-byte read, plus starting a decompressor for a compressed file.
    public static func open(_ path: String, displayName: String? = nil) throws(TraceError) -> ByteStream {
        if path == "-" { return standardInput() }
        let name = displayName ?? path
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TraceError(file: name, message: "cannot open: \(errnoDescription(errno))")
        }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw TraceError(file: name, message: "is a directory, not a trace file")
        }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = magic.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 4, 0) }
        guard n >= 0 else {
            let message = errnoDescription(errno)
            close(fd)
            throw TraceError(file: name, message: "cannot read: \(message)")
        }
        let compression = Compression.detect(path: path, magic: Array(magic.prefix(n)))
        let regular = (st.st_mode & S_IFMT) == S_IFREG
        let size: UInt64? = regular ? UInt64(st.st_size) : nil
        guard let compression else {
            return ByteStream(name: name, fd: fd, ownsDescriptor: true, totalBytes: size)
        }
        do throws(TraceError) {
            return try spawnDecompressor(compression, file: fd, name: name, totalBytes: size)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Reads up to `buffer.count` bytes; returns 0 at the end of the stream.
    /// - Complexity: O(bytes read).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TraceError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { bytesRead &+= UInt64(n); return n }
            if n == 0 {
                try finishChild()
                return 0
            }
            if errno == EINTR { continue }
            throw TraceError(file: name, message: "read failed: \(errnoDescription(errno))")
        }
    }

    /// Waits for the decompressor at the end of its output and reports its failure.
    private func finishChild() throws(TraceError) {
        guard let c = child else { return }
        child = nil
        var status: Int32 = 0
        while waitpid(c.pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        if !exited || code != 0 {
            let how = exited ? "exit status \(code)" : "signal \(status & 0x7f)"
            throw TraceError(file: name, message: "\(c.program) failed to decompress the file (\(how))")
        }
    }

    /// Starts `zstd -dc` or `gzip -dc` reading `file` as its standard input.
    private static func spawnDecompressor(_ compression: Compression, file: Int32, name: String, totalBytes: UInt64?) throws(TraceError) -> ByteStream {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            throw TraceError(file: name, message: "cannot create a pipe: \(errnoDescription(errno))")
        }
        let readEnd = pipeFDs[0], writeEnd = pipeFDs[1]
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd, STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, writeEnd)
        posix_spawn_file_actions_adddup2(&actions, file, STDIN_FILENO)

        let program = compression.program
        let arguments = [program, "-dc"]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }

        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, program, &actions, nil, argv, environ)
        close(writeEnd)
        guard rc == 0 else {
            close(readEnd)
            if rc == ENOENT {
                throw TraceError(file: name, message: "reading a \(compression.fileKind) file needs the '\(program)' program, which was not found; install the Debian package '\(compression.debianPackage)' (apt-get install \(compression.debianPackage))")
            }
            throw TraceError(file: name, message: "cannot start \(program): \(errnoDescription(rc))")
        }
        return ByteStream(name: name, fd: readEnd, ownsDescriptor: true, child: (pid, program), source: file, totalBytes: totalBytes)
    }
}

/// The compressed containers VMSim reads by piping them through a decompressor.
enum Compression {
    case zstd, gzip

    var program: String { self == .zstd ? "zstd" : "gzip" }
    var debianPackage: String { self == .zstd ? "zstd" : "gzip" }
    var fileKind: String { self == .zstd ? ".zst" : ".gz" }

    /// From the file name's extension, or else its first bytes (zstd 28 B5 2F FD, gzip 1F 8B).
    static func detect(path: String, magic: [UInt8]) -> Compression? {
        if path.hasSuffix(".zst") || path.hasSuffix(".zstd") { return .zstd }
        if path.hasSuffix(".gz") { return .gzip }
        if magic.count >= 4 && magic[0] == 0x28 && magic[1] == 0xB5 && magic[2] == 0x2F && magic[3] == 0xFD {
            return .zstd
        }
        if magic.count >= 2 && magic[0] == 0x1F && magic[1] == 0x8B { return .gzip }
        return nil
    }

    /// The file name with the compression extension removed.
    static func strippedName(_ path: String) -> String {
        for ext in [".zst", ".zstd", ".gz"] where path.hasSuffix(ext) { return String(path.dropLast(ext.count)) }
        return path
    }
}

/// The C library's message for the error number `code`.
/// - Complexity: O(1).
public func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}
