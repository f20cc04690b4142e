/// Counts of one paging run.
public struct PagingStats: Hashable, Sendable {
    /// Page references seen.
    public var accesses: UInt64 = 0
    /// References that found the page resident.
    public var hits: UInt64 = 0
    /// References that did not (page faults), including the compulsory ones.
    public var misses: UInt64 = 0
    /// Misses that had to evict a resident page.
    public var evictions: UInt64 = 0
    /// Evictions of a page written since it was loaded (write-backs to the backing store).
    public var dirtyEvictions: UInt64 = 0
    /// References that were stores.
    public var writes: UInt64 = 0

    /// Zero counts.
    public init() {}

    /// misses / accesses (0 for an empty trace).
    public var missRatio: Double { accesses == 0 ? 0 : Double(misses) / Double(accesses) }
}

/// One policy at one memory size, driven over batches of page references.
///
/// The hot loop lives here, specialised for the policy type: one `reference` call per access, a
/// dirty bit per frame (set by stores, tested and cleared on eviction), and the counters.
///
///     var sim = PagingSimulation(policy: LRUPolicy(frames: 3))
///     pages.withUnsafeBufferPointer { sim.run($0) }
///     sim.stats.misses
public struct PagingSimulation<Policy: ReplacementPolicy>: Sendable {
    /// The policy, with its state after the batches replayed so far.
    public var policy: Policy
    @usableFromInline var counters = PagingStats()
    /// The counts so far.
    public var stats: PagingStats { counters }
    @usableFromInline var dirty: ContiguousArray<Bool>

    /// A simulation of `policy`, which may already hold pages, with every counter at 0.
    /// - Complexity: O(1); the per-frame dirty bits are reserved for min(frames, 2^16) frames.
    public init(policy: Policy) {
        self.policy = policy
        dirty = []
        dirty.reserveCapacity(upfrontCapacity(policy.frames))
    }

    /// Replays `batch` in order. A policy that needs the future (OPT) needs each access's
    /// `nextUse`: the index, counted from the first access ever given to this simulation, of the
    /// next reference to the same page (`NextUseIndex` computes it; `run(pages:)` does so itself).
    /// - Throws: `MissingNextUse` when the policy needs next uses and an access carries none;
    ///   nothing is replayed then.
    /// - Complexity: O(batch.count) times the policy's per-reference cost.
    @inlinable
    public mutating func run(_ batch: UnsafeBufferPointer<PageAccess>) throws(MissingNextUse) {
        if Policy.needsNextUse { try MissingNextUse.check(batch, policy: "\(Policy.self)", start: counters.accesses) }
        replay(batch)
    }

    /// `run` without the next-use check, for callers that have made it (`PagingRun`).
    @inlinable
    mutating func replay(_ batch: UnsafeBufferPointer<PageAccess>) {
        var s = counters
        // Prefetch the lookups of the references `distance` ahead: the hash probes of a large
        // resident set miss the cache, and this lets several misses overlap. Nearer, policies with
        // list nodes prefetch the node the lookup names.
        let distance = 12, nodeDistance = 4
        for access in batch.prefix(distance) { policy.prefetch(access.page) }
        for i in batch.indices {
            if i &+ distance < batch.count { policy.prefetch(batch[i &+ distance].page) }
            if i &+ nodeDistance < batch.count { policy.prefetchNode(batch[i &+ nodeDistance].page) }
            let access = batch[i]
            let r = policy.reference(access.page, nextUse: access.nextUse)
            let slot = Int(r.slot)
            switch r.event {
            case .hit:
                s.hits &+= 1
            case .fill:
                s.misses &+= 1
                // The table grows as frames fill (in slot order for every policy here).
                if slot >= dirty.count {
                    dirty.append(contentsOf: repeatElement(false, count: slot - dirty.count + 1))
                } else {
                    dirty[slot] = false
                }
            case .evict:
                s.misses &+= 1
                s.evictions &+= 1
                if dirty[slot] { s.dirtyEvictions &+= 1 }
                dirty[slot] = false
            }
            if access.kind == .store {
                s.writes &+= 1
                dirty[slot] = true
                policy.noteStore(r.slot)
            }
        }
        s.accesses &+= UInt64(batch.count)
        counters = s
    }

    /// Replays an array of page numbers, all loads. A policy that needs the future (OPT) gets
    /// each reference's next use within the array (a page not referenced again in it counts as
    /// never used again).
    ///
    ///     var opt = PagingSimulation(policy: OPTPolicy(frames: 3))
    ///     opt.run(pages: [7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1])
    ///     opt.stats.misses   // 9, as Silberschatz's Figure 10.14
    ///
    /// - Complexity: O(pages.count) times the policy's per-reference cost, plus O(pages.count)
    ///   expected for the next uses when the policy needs them.
    public mutating func run(pages: [UInt64]) {
        var accesses = pages.map { PageAccess(page: $0) }
        if Policy.needsNextUse { NextUseIndex.annotate(&accesses, startingAt: Int(counters.accesses)) }
        accesses.withUnsafeBufferPointer { replay($0) }
    }
}

/// A policy that needs the future (OPT) was given a reference without its next use.
public struct MissingNextUse: Error, Hashable, Sendable, CustomStringConvertible {
    /// The policy, and the index (from the first reference of the run) of the reference.
    public var policy: String
    /// The index of the reference (from the first of the run) that had no next use.
    public var reference: UInt64

    /// The error for reference `reference` of a run of `policy`.
    public init(policy: String, reference: UInt64) {
        self.policy = policy
        self.reference = reference
    }

    /// What was missing and how to provide it.
    public var description: String {
        "\(policy) needs each reference's next use (Belady's oracle), and reference \(reference) carries none; "
            + "fill PageAccess.nextUse with NextUseIndex, or replay an array with run(pages:), which computes it"
    }

    /// Throws for the first access of `batch` whose next use is unknown; `start` numbers the first.
    /// - Complexity: O(batch.count).
    @inlinable
    public static func check(_ batch: UnsafeBufferPointer<PageAccess>, policy: String, start: UInt64) throws(MissingNextUse) {
        for i in batch.indices where batch[i].nextUse == PageAccess.unknown {
            throw MissingNextUse(policy: policy, reference: start + UInt64(i))
        }
    }
}
