/// A simulation's state over time: named columns sampled at evenly spaced points of the input
/// (records or operations done), the last point at the end.
///
///     var s = SeriesSampler(columns: ["misses"])
///     s.feed(batch, run: { sim.replay($0) }, sample: { [Double(sim.stats.misses)] })
///     let series = s.finished(at: n) { [Double(sim.stats.misses)] }
public struct Series: Hashable, Sendable {
    /// What `x` counts (`accesses`, `ops`).
    public var unit: String
    /// The names of the values at each point.
    public var columns: [String]
    /// Records done at each point, increasing.
    public var x: [UInt64]
    /// The values at each point, one per column.
    public var values: [[Double]]

    /// A series.
    public init(unit: String, columns: [String], x: [UInt64] = [], values: [[Double]] = []) {
        self.unit = unit
        self.columns = columns
        self.x = x
        self.values = values
    }

    /// Points in the series.
    public var count: Int { x.count }

    /// The values of column `name` at every point, or nil without that column.
    /// - Complexity: O(points).
    public func column(_ name: String) -> [Double]? {
        guard let i = columns.firstIndex(of: name) else { return nil }
        return values.map { $0[i] }
    }
}

/// Samples a simulation at evenly spaced points of its input while it runs, keeping between
/// `target / 2` and `target` of them however long the input is: points are taken every `every`
/// records, and when there are `target` of them every other one is dropped and `every` doubles.
/// Batches are split at the sample points, so a simulation's per-record loop has no hook in it.
public struct SeriesSampler: Sendable {
    /// Whether series are recorded at all (`--no-series` turns them off for the process: the
    /// batches then run whole, and the results carry no series).
    nonisolated(unsafe) public static var isEnabled = true

    /// The most points kept before the end (1,000 unless set).
    public let target: Int
    /// Records between points now.
    public private(set) var every: UInt64 = 1
    /// Records fed so far.
    public private(set) var done: UInt64 = 0
    /// The series so far.
    public private(set) var series: Series
    /// Column positions by name, for `step(named:)`.
    var columnIndex: [String: Int] = [:]

    /// A sampler of `columns`, counting records in `unit`, a point every `spacing` records to begin
    /// with (a power of two; a trace-driven run starts at 256 so that its first batch is not cut
    /// into single records).
    /// - Complexity: O(1).
    public init(unit: String = "accesses", columns: [String], target: Int = 1000, spacing: UInt64 = 1) {
        self.target = Swift.max(2, target & ~1)
        every = Swift.max(1, spacing)
        series = Series(unit: unit, columns: columns)
        for (i, c) in columns.enumerated() { columnIndex[c] = i }
    }

    /// Runs `batch` through `run`, in pieces that end at the sample points, and records `sample()`
    /// at each.
    /// - Complexity: O(batch.count) in `run`, plus O(points) per sample point.
    public mutating func feed<E, Failure: Error>(_ batch: UnsafeBufferPointer<E>, run: (UnsafeBufferPointer<E>) throws(Failure) -> Void,
                                                 sample: () -> [Double]) throws(Failure) {
        guard Self.isEnabled else { return try run(batch) }
        var start = 0
        while start < batch.count {
            let untilNext = every - done % every
            let n = Int(Swift.min(UInt64(batch.count - start), untilNext))
            try run(UnsafeBufferPointer(rebasing: batch[start ..< start + n]))
            start += n
            done += UInt64(n)
            if done % every == 0 { record(sample()) }
        }
    }

    /// Records a point at `done` (the caller has just run up to it).
    mutating func record(_ values: [Double]) {
        series.x.append(done)
        series.values.append(values)
        if series.x.count >= target {
            every *= 2
            var x: [UInt64] = [], v: [[Double]] = []
            x.reserveCapacity(target / 2)
            v.reserveCapacity(target / 2)
            for (i, p) in series.x.enumerated() where p % every == 0 {
                x.append(p)
                v.append(series.values[i])
            }
            series.x = x
            series.values = v
        }
    }

    /// One more step of a driver that counts its own steps (a workload's lines), with named values:
    /// a name not seen before becomes a new column, 0 at the earlier points, and a name missing
    /// from a later point is 0 there (a process that has exited).
    /// - Complexity: O(columns) per step, plus O(points × columns) at a sample point.
    public mutating func step(named sample: () -> [(String, Double)]) {
        guard Self.isEnabled else { return }
        done += 1
        if done % every == 0 { record(values(sample())) }
    }

    /// The series with its last point at the end, from named values (see `step(named:)`).
    /// - Complexity: O(points × columns).
    public mutating func finished(named sample: () -> [(String, Double)]) -> Series {
        if series.x.last != done {
            let v = values(sample())
            var s = series
            s.x.append(done)
            s.values.append(v)
            return s
        }
        return series
    }

    /// The row of `named` in the column order, adding the columns it brings.
    mutating func values(_ named: [(String, Double)]) -> [Double] {
        var row = [Double](repeating: 0, count: series.columns.count)
        for (name, value) in named {
            if let i = columnIndex[name] {
                row[i] = value
            } else {
                columnIndex[name] = series.columns.count
                series.columns.append(name)
                for j in series.values.indices { series.values[j].append(0) }
                row.append(value)
            }
        }
        return row
    }

    /// The series with its last point at the end of the input (`sample()` there, unless that point
    /// was just taken).
    /// - Complexity: O(points).
    public func finished(sample: () -> [Double]) -> Series {
        var s = series
        if s.x.last != done {
            s.x.append(done)
            s.values.append(sample())
        }
        return s
    }
}
