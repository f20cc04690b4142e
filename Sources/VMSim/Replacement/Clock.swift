/// CLOCK (second chance), with a reference bit or an N-bit reference counter.
///
/// Semantics (libCacheSim's `Clock`, `n-bit-counter=N`): resident pages sit on a circular list in
/// the order they were brought in; the hand points at the oldest. A page enters with its counter at
/// 0; a hit increments it up to the cap `2^N - 1` (N = 1: a single reference bit, set on a hit).
/// On a miss with all frames taken, the hand sweeps: a page whose counter is non-zero has it
/// decremented and is passed over (its "second chance"); the first page found at zero is evicted,
/// the new page takes its frame (with counter 0) and the hand moves past it.
///
/// - Complexity: O(1) amortized per reference (each decrement during a sweep repays an increment
///   made by a hit); 25 bytes per frame.
public struct ClockPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// The counter's cap, `2^bits - 1`.
    public let maxCount: UInt8
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64>
    @usableFromInline var counts: ContiguousArray<UInt8>
    @usableFromInline var hand: Int = 0

    /// A CLOCK over `frames` frames with a `bits`-bit counter per page (1...8).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int, bits: Int = 1) {
        precondition(frames > 0)
        precondition((1...8).contains(bits), "CLOCK counters have 1 to 8 bits")
        self.frames = frames
        maxCount = UInt8((1 << bits) - 1)
        map = PageMap(expectedCount: upfrontCapacity(frames))
        pages = []
        pages.reserveCapacity(upfrontCapacity(frames))
        counts = []
        counts.reserveCapacity(upfrontCapacity(frames))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let slot = map.find(page)
        if slot != .max {
            if counts[Int(slot)] < maxCount { counts[Int(slot)] &+= 1 }
            return .hit(slot)
        }
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            counts.append(0)
            map.insert(page, s)
            return .fill(s)
        }
        var h = hand
        while counts[h] != 0 {
            counts[h] &-= 1
            h = h &+ 1 == frames ? 0 : h &+ 1
        }
        let victim = pages[h]
        map.remove(victim)
        pages[h] = page
        map.insert(page, Int32(truncatingIfNeeded: h))
        hand = h &+ 1 == frames ? 0 : h &+ 1
        // Victims are found near the hand: warm up the probe of a page a little ahead of it.
        map.prefetch(pages[(h &+ 4) % frames])
        return .evict(Int32(truncatingIfNeeded: h), victim: victim)
    }
}
