// The placement policies of the free-list heap, and the search lengths a plain linked list in the
// reported order would have had. The rules (docs/heap.md):
//
// - first: the list walk stops at the first element that fits.
// - next: the walk starts where the previous one stopped (in address order: at the first block at
//   or after the end of the previous allocation), wraps once, and stops at the first fit.
// - best, worst: the walk examines the whole list (as OSTEP's malloc.py and CS:APP count it).
// - segregated: the walk examines the request's own class in address order, stopping at the first
//   fit, plus one element when the block comes from the head of a larger class.
// - tlsf: one list head when a block is found, none otherwise (the bitmaps find the list).
//
// A failed search examines every element it could have.

extension FreeListAllocator {
    /// Finds the free block the policy chooses for a block of `size` bytes, or -1, and records the
    /// search length.
    /// - Complexity: O(log n) (O(1) for TLSF).
    @inlinable
    mutating func findFit(_ size: UInt64) -> Int32 {
        switch policy {
        case .first:
            let b = fit.firstFit(minSize: size)
            if usesReport {
                counters.record(walkFromHead(size))
            } else {
                counters.record(b >= 0 ? fit.countLess(fit.key(of: b)) &+ 1 : freeCount)
            }
            return b
        case .next:
            let from = TreeKey(rover)
            var b = fit.firstFit(from: from, minSize: size)
            if b < 0 { b = fit.firstFit(minSize: size) }
            if usesReport {
                counters.record(walkFromRover(size))
            } else if b < 0 {
                counters.record(freeCount)
            } else {
                counters.record(circularDistance(fit, from: from, to: fit.key(of: b)))
            }
            return b
        case .best:
            counters.record(freeCount)
            return fit.lowerBound(TreeKey(size, 0))
        case .worst:
            counters.record(freeCount)
            let b = fit.first()
            return b >= 0 && fit.size(of: b) >= size ? b : -1
        case .segregated:
            let c = Self.sizeClass(size)
            let b = fit.firstFit(from: TreeKey(c, 0), minSize: size)
            let inClassBefore = fit.countLess(TreeKey(c, 0))
            if b >= 0 && fit.key(of: b).hi == c {
                counters.record(fit.countLess(fit.key(of: b)) &- inClassBefore &+ 1)
            } else {
                let classLength = fit.countLess(TreeKey(c &+ 1, 0)) &- inClassBefore
                counters.record(classLength &+ (b >= 0 ? 1 : 0))
            }
            return b
        case .tlsf:
            let b = tlsf.find(size)
            counters.record(b >= 0 ? 1 : 0)
            return b
        case .buddy:
            preconditionFailure("the buddy heap is BuddyHeap")
        }
    }

    /// Elements from `from` (inclusive) to `to` (inclusive), going round the list once.
    @inlinable
    func circularDistance(_ tree: FreeBlockTree, from: TreeKey, to: TreeKey) -> Int {
        let start = tree.countLess(from), position = tree.countLess(to)
        return position >= start ? position &- start &+ 1 : tree.count &- start &+ position &+ 1
    }

    /// First fit walked from the head of the reported list.
    @inlinable
    func walkFromHead(_ size: UInt64) -> Int {
        let r = report.firstFit(minSize: size)
        return r >= 0 ? report.countLess(report.key(of: r)) &+ 1 : report.count
    }

    /// Next fit walked round the reported list from where the previous walk stopped.
    @inlinable
    mutating func walkFromRover(_ size: UInt64) -> Int {
        var r = report.firstFit(from: reportRover, minSize: size)
        if r < 0 { r = report.firstFit(minSize: size) }
        guard r >= 0 else { return report.count }
        let key = report.key(of: r)
        let n = circularDistance(report, from: reportRover, to: key)
        reportRover = key
        return n
    }
}
