/// The engine's one invariant convention: a structure states what must always hold of it and
/// checks it on demand, returning one sentence per violation (empty when all hold).
///
/// Tests call `checkInvariants()` after operations (property tests over random operations); the
/// buddy script's `check` prints it; and a build with `-Xswiftc -DVMSIM_CHECK_INVARIANTS` checks
/// after every mutating operation of the structures that call `debugCheckInvariants()`, stopping
/// at the first broken one (as swift-collections' `_checkInvariants` do).
///
///     var mem = PhysicalMemory(.normal(pages: 1024))
///     _ = mem.allocPages(order: 2)
///     mem.checkInvariants()          // []
///
/// Conforming: `PhysicalMemory`, `SlabAllocator`, `FreeListAllocator`, `BuddyHeap`,
/// `RadixPageTable`, `TLBHierarchy`, and every replacement policy through `PolicyContract`.
public protocol InvariantChecking {
    /// One sentence per violated invariant; empty when all hold.
    /// - Complexity: linear in the structure's size, unless the conforming type says otherwise.
    func checkInvariants() -> [String]
}

extension InvariantChecking {
    /// With `VMSIM_CHECK_INVARIANTS` defined, stops with the violations when an invariant is
    /// broken; otherwise does nothing (and costs nothing).
    @inlinable @inline(__always)
    public func debugCheckInvariants(file: StaticString = #file, line: UInt = #line) {
        #if VMSIM_CHECK_INVARIANTS
        let problems = checkInvariants()
        precondition(problems.isEmpty, "invariants broken: \(problems)", file: file, line: line)
        #endif
    }
}

/// Collects violations, keeping the first `limit` (a broken structure can break everything).
struct Violations {
    private(set) var all: [String] = []
    let limit: Int
    init(limit: Int = 20) { self.limit = limit }
    mutating func report(_ s: @autoclosure () -> String) { if all.count < limit { all.append(s()) } }
    mutating func check(_ condition: Bool, _ s: @autoclosure () -> String) { if !condition { report(s()) } }
}
