#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of processors available to the simulation, for sizing parallel work.
public enum ProcessorCount {
    /// Online processors (at least 1).
    /// - Complexity: O(1): one `sysconf` call.
    public static var online: Int {
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }
}
