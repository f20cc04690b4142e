/// Belady's oracle for traces that do not carry it: the index of each access's next reference to
/// the same page, computed in one forward pass before the simulation pass.
///
/// The forward pass keeps, for every distinct page, the index of its last reference; when the page
/// comes again at index i, the entry of that last reference is set to i. Memory: 4 bytes per access
/// plus 16 to 32 bytes per distinct page.
///
///     var index = NextUseIndex()
///     index.record(batch)                       // every batch of the trace, in order
///     index.annotate(&batch2, startingAt: 0)    // second pass: fill PageAccess.nextUse
public struct NextUseIndex: Sendable {
    @usableFromInline var next: ContiguousArray<UInt32> = []
    @usableFromInline var last = PageMap<UInt32>(expectedCount: 1 << 12)

    /// The most accesses the index can hold (indices are 32-bit, `UInt32.max` marks "never").
    public static let capacity = Int(UInt32.max - 1)

    /// An empty index.
    public init() {}

    /// The number of accesses recorded.
    public var count: Int { next.count }
    /// The number of distinct pages recorded.
    public var distinctPages: Int { max(last.count, distinctAtFinish) }
    @usableFromInline var distinctAtFinish = 0

    /// Records the next batch of the trace. Returns false (recording nothing) if the trace would
    /// exceed `capacity` accesses.
    /// - Complexity: O(batch.count) expected.
    @inlinable
    public mutating func record(_ batch: UnsafeBufferPointer<PageAccess>) -> Bool {
        guard next.count + batch.count <= Self.capacity else { return false }
        for access in batch {
            let i = UInt32(truncatingIfNeeded: next.count)
            next.append(.max)
            let previous = last.find(access.page)
            if previous == .max {
                last.insert(access.page, i)
            } else {
                next[Int(previous)] = i
                last.update(access.page, i)
            }
        }
        return true
    }

    /// Fills `nextUse` of each access of `batch`, whose first access is the trace's access number
    /// `start`, from the recorded pass.
    /// - Complexity: O(batch.count).
    @inlinable
    public func annotate(_ batch: UnsafeMutableBufferPointer<PageAccess>, startingAt start: Int) {
        for j in batch.indices {
            let n = next[start + j]
            batch[j].nextUse = n == .max ? PageAccess.never : Int64(n)
        }
    }

    /// Releases the last-reference map once recording is done (it is not needed to annotate).
    /// - Complexity: O(1) (the map's memory is released).
    public mutating func finishRecording() {
        distinctAtFinish = last.count
        last = PageMap(expectedCount: 0)
    }

    /// Fills the `nextUse` of every access of an array in one backward pass: the index of the next
    /// reference to the same page, offset by `start` (the number of the array's first access in
    /// the whole run), or `PageAccess.never`.
    /// - Complexity: O(accesses.count) expected; 16 to 32 bytes per distinct page.
    public static func annotate(_ accesses: inout [PageAccess], startingAt start: Int) {
        var next = PageMap<UInt64>(expectedCount: 1 << 10)
        for i in accesses.indices.reversed() {
            let page = accesses[i].page
            let n = next.find(page)
            accesses[i].nextUse = n == .max ? PageAccess.never : Int64(n)
            let here = UInt64(start + i)
            if n == .max { next.insert(page, here) } else { next.update(page, here) }
        }
    }
}
