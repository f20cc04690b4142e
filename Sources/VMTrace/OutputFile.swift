#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files VMSim writes whole: to a temporary name beside the target, then renamed over it, so a
/// reader never sees half a file and a failure leaves nothing behind.
public enum OutputFile {
    /// Writes `contents` to `path` atomically.
    /// - Throws: `TraceError` naming `path` and the system's reason.
    /// - Complexity: O(contents).
    public static func writeAtomically(_ contents: String, to path: String) throws(TraceError) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !base.isEmpty else { throw TraceError(file: path, message: "cannot write: it names a folder") }
        let tmp = dir + ".\(base).vmsim-\(getpid()).tmp"
        func failure(_ what: String) -> TraceError {
            TraceError(file: path, message: "cannot \(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("write") }
        var ok = true
        var bytes = Array(contents.utf8)
        bytes.withUnsafeMutableBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; ok = false; return }
                off += n
            }
        }
        if !ok {
            let e = failure("write")
            close(fd)
            unlink(tmp)
            throw e
        }
        guard close(fd) == 0 else {
            let e = failure("write")
            unlink(tmp)
            throw e
        }
        guard rename(tmp, path) == 0 else {
            let e = failure("write")
            unlink(tmp)
            throw e
        }
    }
}
