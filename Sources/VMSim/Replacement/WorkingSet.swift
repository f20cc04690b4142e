/// Denning's working set W(t, τ): the number of distinct pages referenced in the window of the last
/// τ references, `(t − τ, t]`, for every t of a trace, in one pass.
///
/// Each reference appends `(page, t)` to a log and records t as the page's last reference; log
/// entries older than the window leave it, and when such an entry is still its page's last
/// reference, the page leaves the working set. Entries made stale by a later reference to the same
/// page are dropped in compactions, so memory grows with the working set, not with τ.
///
///     var ws = WorkingSet(window: 1000)
///     ws.record(batch)            // every batch
///     ws.samples                  // W(t, τ) at t = τ, 2τ, 3τ, ... and at the end
///
/// - Complexity: O(1) amortized per reference; about 40 bytes per page in the window.
public struct WorkingSet: Sendable {
    /// τ, the window in references.
    public let window: UInt64
    @usableFromInline var last: PageMap<UInt64>
    @usableFromInline var log: ContiguousArray<(page: UInt64, time: UInt64)> = []
    @usableFromInline var head = 0
    @usableFromInline var time: UInt64 = 0
    @usableFromInline var size = 0
    @usableFromInline var sum: Double = 0
    @usableFromInline var largest = 0
    /// `(t, W(t, τ))` at every multiple of τ, and at the last reference.
    public var samples: [(time: UInt64, pages: Int)] { taken }
    @usableFromInline var taken: [(time: UInt64, pages: Int)] = []

    /// An empty working set of window `window` references (at least 1).
    public init(window: Int) {
        precondition(window > 0)
        self.window = UInt64(window)
        last = PageMap(expectedCount: 1 << 12)
    }

    /// The mean of W(t, τ) over every t so far.
    public var mean: Double { time == 0 ? 0 : sum / Double(time) }
    /// The largest W(t, τ) so far.
    public var maximum: Int { largest }
    /// References seen.
    public var references: UInt64 { time }

    /// Records one reference.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func record(_ page: UInt64) {
        time &+= 1
        // Entries at times <= t - τ leave the window.
        if time > window {
            let oldest = time &- window
            while head < log.count && log[head].time <= oldest {
                let e = log[head]
                head &+= 1
                let i = last.index(of: e.page)
                if i >= 0 && last.value(at: i) == e.time {
                    last.remove(at: i)
                    size &-= 1
                }
            }
        }
        let i = last.index(of: page)
        if i >= 0 {
            last.setValue(time, at: i)
        } else {
            last.insert(page, time)
            size &+= 1
        }
        log.append((page, time))
        if log.count - head > 2 * size + 4096 || (head > 4096 && head * 2 > log.count) { compact() }
        sum += Double(size)
        if size > largest { largest = size }
        if time % window == 0 { taken.append((time, size)) }
    }

    /// Records a batch of references.
    /// - Complexity: O(batch.count) amortized.
    @inlinable
    public mutating func record(_ batch: UnsafeBufferPointer<PageAccess>) {
        for a in batch { record(a.page) }
    }

    /// Adds the final sample (the last reference, if it is not a multiple of τ).
    /// - Complexity: O(1) amortized.
    public mutating func finish() {
        if time > 0 && time % window != 0 { taken.append((time, size)) }
    }

    /// Drops consumed and stale entries.
    @usableFromInline
    @inline(never)
    mutating func compact() {
        var kept = ContiguousArray<(page: UInt64, time: UInt64)>()
        kept.reserveCapacity(size * 2 + 16)
        for k in head..<log.count {
            let e = log[k]
            if last.find(e.page) == e.time { kept.append(e) }
        }
        log = kept
        head = 0
    }
}
