/// What one page reference did to the resident set.
///
/// Every policy keeps its resident pages in `frames` numbered slots (`0..<frames`), the simulated
/// page frames. A page keeps its slot while it is resident, and a page brought in by a miss that
/// evicts another takes the victim's slot. That contract lets `PagingSimulation` track per-frame
/// state (the dirty bit) without knowing the policy.
public struct ReferenceResult: Hashable, Sendable {
    /// What happened.
    public enum Event: UInt8, Sendable {
        /// The page was resident.
        case hit
        /// A miss that found a free frame.
        case fill
        /// A miss that evicted the page in `slot` to make room.
        case evict
    }

    /// The frame the referenced page occupies after the reference.
    public var slot: Int32
    /// What happened.
    public var event: Event
    /// The page evicted, when `event == .evict`.
    public var victim: UInt64

    /// A hit on the page in `slot`.
    /// - Complexity: O(1).
    @inlinable public static func hit(_ slot: Int32) -> Self { Self(slot: slot, event: .hit, victim: 0) }
    /// A miss that filled the free frame `slot`.
    /// - Complexity: O(1).
    @inlinable public static func fill(_ slot: Int32) -> Self { Self(slot: slot, event: .fill, victim: 0) }
    /// A miss that evicted `victim` from `slot`.
    /// - Complexity: O(1).
    @inlinable public static func evict(_ slot: Int32, victim: UInt64) -> Self {
        Self(slot: slot, event: .evict, victim: victim)
    }

    /// A result of `event` in `slot`.
    @inlinable
    public init(slot: Int32, event: Event, victim: UInt64) {
        self.slot = slot
        self.event = event
        self.victim = victim
    }
}

/// A page-replacement policy: decides which resident page leaves when a referenced page is not
/// resident and every frame is taken.
///
/// Each policy lives in its own file, states its exact semantics in its doc comment, and is driven
/// by `PagingSimulation`, which the compiler specialises for it (no dynamic dispatch per reference).
public protocol ReplacementPolicy: Sendable {
    /// The number of page frames the policy manages (at least 1).
    var frames: Int { get }

    /// Whether the policy needs each access's `nextUse` (Belady's oracle).
    static var needsNextUse: Bool { get }

    /// References `page`. `nextUse` is the index of the next reference to the same page
    /// (`PageAccess.never` if none); policies that are not clairvoyant ignore it.
    mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult

    /// A hint that `page` will be referenced soon: start loading whatever its lookup will touch.
    /// `PagingSimulation` calls it a few references ahead to overlap memory latency; it must not
    /// change the policy's state. The default does nothing.
    mutating func prefetch(_ page: UInt64)

    /// A second, nearer hint for `page` (a few references ahead, after `prefetch`): policies whose
    /// hits update list nodes start loading the page's node, found through the map entry that
    /// `prefetch` brought in. It must not change the policy's state. The default does nothing.
    mutating func prefetchNode(_ page: UInt64)

    /// Tells the policy that the reference just made to the page in `slot` was a store (the
    /// hardware's modified bit). `PagingSimulation` calls it right after `reference`; only policies
    /// that look at modified bits (NRU) use it. The default does nothing.
    mutating func noteStore(_ slot: Int32)
}

extension ReplacementPolicy {
    /// False: a policy needs no next uses unless it says so.
    public static var needsNextUse: Bool { false }
    /// Does nothing.
    /// - Complexity: O(1).
    @inlinable public mutating func prefetch(_ page: UInt64) {}
    /// Does nothing.
    /// - Complexity: O(1).
    @inlinable public mutating func prefetchNode(_ page: UInt64) {}
    /// Does nothing.
    /// - Complexity: O(1).
    @inlinable public mutating func noteStore(_ slot: Int32) {}
}

/// How many frames' worth of tables a policy allocates when it is made: all of them for ordinary
/// memory sizes, and beyond 2^16 frames only that many, growing as pages arrive, so that an absurdly
/// large `--frames` costs what the trace fills rather than what the number says.
/// - Complexity: O(1).
@inlinable
public func upfrontCapacity(_ frames: Int) -> Int { min(frames, 1 << 16) }
