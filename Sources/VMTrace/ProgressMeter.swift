#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import VMSim

/// A progress line on standard error for long runs: after two seconds, the trace being read, how
/// far (bytes of the file, and records), the rate and the time left, redrawn at most five times a
/// second, and erased before the results are printed. Only when standard error is a terminal.
///
///     ProgressMeter.start(enabled: !noProgress)   // the command, before reading
///     ...                                         // the batch loop calls ProgressMeter.update
///     ProgressMeter.finish()                      // before printing the results
public final class ProgressMeter: @unchecked Sendable {
    // Unchecked: one meter per process, touched by the thread that reads the trace.
    nonisolated(unsafe) public static var current: ProgressMeter?

    private weak var stream: ByteStream?
    private var name = ""
    private var opened = 0.0
    private var records: UInt64 = 0
    private let started = ProgressMeter.now()
    /// Seconds before the line first shows: 2, or `VMSIM_PROGRESS_DELAY` (the tests use 0).
    private let delay = getenv("VMSIM_PROGRESS_DELAY").flatMap { Double(String(cString: $0)) } ?? 2
    private var drawn = 0.0
    private var visible = false

    /// Starts the meter when `enabled` and standard error is a terminal.
    public static func start(enabled: Bool) {
        guard enabled, isatty(STDERR_FILENO) != 0 else { return }
        current = ProgressMeter()
    }

    /// Erases the line and stops.
    public static func finish() {
        if let m = current, m.visible { m.write("\r\u{1B}[K") }
        current = nil
    }

    /// The batch loop's call: `n` more records of the stream being read.
    public static func update(records n: Int) {
        current?.advance(n)
    }

    /// Follows a newly opened stream (each trace, or each pass over one).
    func watch(_ s: ByteStream) {
        stream = s
        name = s.name
        opened = Self.now()
        records = 0
    }

    private func advance(_ n: Int) {
        records &+= UInt64(n)
        let t = Self.now()
        guard t - started >= delay, t - drawn >= 0.2 else { return }
        drawn = t
        visible = true
        write("\r\u{1B}[K" + line(at: t))
    }

    private func line(at t: Double) -> String {
        let elapsed = max(t - opened, 1e-3)
        let rate = Double(records) / elapsed
        var parts = [shortName]
        if let total = stream?.totalBytes, total > 0, let at = stream?.position {
            let f = min(1, Double(at) / Double(total))
            let width = 20, full = Int(f * Double(width))
            parts.append("[" + String(repeating: "#", count: full) + String(repeating: "-", count: width - full) + "]")
            parts.append(String(Int(f * 100)) + "%")
            parts.append(Self.count(Double(at)) + "B of " + Self.count(Double(total)) + "B")
            if f > 0 { parts.append("ETA " + Self.duration(elapsed * (1 - f) / f)) }
        }
        parts.append(Self.count(Double(records)) + " records, " + Self.count(rate) + "/s")
        return "  " + parts.joined(separator: "  ")
    }

    private var shortName: String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return base.count > 28 ? String(base.prefix(27)) + "…" : base
    }

    static func count(_ v: Double) -> String {
        func one(_ x: Double) -> String { let t = Int((x * 10).rounded()); return "\(t / 10).\(t % 10)" }
        if v >= 1e9 { return one(v / 1e9) + "G" }
        if v >= 1e6 { return one(v / 1e6) + "M" }
        if v >= 1e3 { return one(v / 1e3) + "K" }
        return String(Int(v))
    }

    static func duration(_ s: Double) -> String {
        let n = Int(s.rounded())
        return n >= 3600 ? "\(n / 3600)h\(n % 3600 / 60)m" : n >= 60 ? "\(n / 60)m\(n % 60)s" : "\(n)s"
    }

    private func write(_ text: String) {
        text.withCString { p in _ = Glibc.write(STDERR_FILENO, p, strlen(p)) }
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
