#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim
import VMTrace

/// The swap device's backing store: a real file on disk, one 4 KiB page per slot (slot 0 the
/// header, as in a swap area made by mkswap), written with `pwrite` and read with `pread`. A
/// temporary file (in `$TMPDIR`) is removed when the swap file is closed; a file the user named
/// is kept.
public final class SwapFile: SwapBacking {
    /// Where it is.
    public let path: String
    let fd: Int32
    let temporary: Bool

    /// Creates (or truncates) the file at `path`, or a temporary one, sized `bytes` (sparse).
    /// - Throws: `TraceError` naming the file when it cannot be created or sized.
    public init(path: String?, bytes: UInt64) throws(TraceError) {
        if let path {
            let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw TraceError(file: path, message: "cannot create the swap file: \(errnoDescription(errno))") }
            self.fd = fd
            self.path = path
            temporary = false
        } else {
            let (fd, file) = try TemporaryFile.create("vmsim-swap", for: "the swap file", name: "swap")
            self.fd = fd
            self.path = file.path
            temporary = true
        }
        guard ftruncate(fd, off_t(bytes)) == 0 else {
            let why = errnoDescription(errno)
            close(fd)
            if temporary { unlink(self.path) }
            throw TraceError(file: self.path, message: "cannot size the swap file to \(bytes) bytes: \(why)")
        }
    }

    deinit {
        close(fd)
        if temporary { unlink(path) }
    }

    /// Writes one page at `slot`.
    public func write(slot: Int, page: UnsafeRawBufferPointer) throws(KernelError) {
        var done = 0
        while done < page.count {
            let w = pwrite(fd, page.baseAddress! + done, page.count - done, off_t(slot * 4096 + done))
            if w < 0 && errno == EINTR { continue }
            guard w > 0 else { throw .swapIO("\(path): cannot write slot \(slot): \(errnoDescription(errno))") }
            done += w
        }
    }

    /// Reads one page from `slot`.
    public func read(slot: Int, into page: UnsafeMutableRawBufferPointer) throws(KernelError) {
        var done = 0
        while done < page.count {
            let r = pread(fd, page.baseAddress! + done, page.count - done, off_t(slot * 4096 + done))
            if r < 0 && errno == EINTR { continue }
            guard r > 0 else { throw .swapIO("\(path): cannot read slot \(slot): \(r == 0 ? "past the end" : errnoDescription(errno))") }
            done += r
        }
    }
}
