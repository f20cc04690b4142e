import CVMSimSupport

/// CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC 2005), as the paper states it.
///
/// Semantics: resident pages are hot or cold; cold pages that were loaded or re-referenced recently
/// are "in their test period", and a cold page evicted during its test period stays on the clock as
/// a non-resident test entry (at most `frames` of them). All entries sit on one circular list; a
/// page that is loaded or moved "to the head" is placed just behind HAND_hot (the position the hot
/// hand reaches last). Hits only set the page's reference bit. `mc`, the target number of cold
/// pages, starts at `frames` and adapts within `1...frames`: +1 when a cold page, resident or not,
/// is found referenced during its test period (a test entry's page is loaded as hot; HAND_cold
/// promotes a resident one), −1 whenever a test period ends without a reference.
/// - A miss on a test entry removes it and loads the page as hot at the head; then HAND_hot runs
///   while more than `frames − mc` pages are hot. Any other miss loads the page as cold, in its test
///   period, at the head.
/// - With every frame taken, HAND_cold finds the victim: at a resident cold page with its reference
///   bit set it clears the bit and moves the page to the head, as hot if it was in its test period
///   (then HAND_hot runs as above), else as cold with a new test period; the first cold page with a
///   clear bit is evicted, leaving a test entry if it was in its test period (HAND_test then runs
///   while there are more than `frames` test entries). The hand skips hot pages and test entries.
/// - HAND_hot clears set reference bits of hot pages and demotes the first hot page found with a
///   clear bit to cold (no test period); on its way it ends the test periods of the cold pages it
///   passes and removes the test entries.
/// - HAND_test ends the test period of the cold pages it passes and stops after removing one test
///   entry.
///
/// Variant: libCacheSim's `ClockPro` (2025) refuses to admit a missing page while its resident cold
/// pages fill their target (`ClockPro_can_insert`), a miss that loads nothing, which the paper does
/// not have; its miss counts are far higher than this policy's and than LRU's, so the bench prints
/// them for information only.
///
/// Each entry keeps its page, its ring links and its state in one 24-byte record, so a hand step
/// touches one cache line.
///
/// - Complexity: O(1) amortized per reference in practice (every bit a hand clears was set by a
///   hit, every status change of an entry follows a reference or an eviction), though a single miss
///   may move a hand past O(frames) entries; at most `2 × frames` entries of 24 bytes and 16 bytes
///   of map.
public struct ClockProPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static var nodePrefetchThreshold: Int { 1 << 15 }
    @usableFromInline static let hot: UInt8 = 0, cold: UInt8 = 1, test: UInt8 = 2

    /// One entry of the ring: a resident page (numbers `0..<frames`, the slots) or a test entry.
    @usableFromInline
    struct Entry: IndexLinked, Sendable {
        @usableFromInline var page: UInt64 = 0
        @usableFromInline var prev: Int32 = -1
        @usableFromInline var next: Int32 = -1
        @usableFromInline var kind: UInt8 = 0
        @usableFromInline var referenced = false
        @usableFromInline var inTest = false
        @inlinable init() {}
    }

    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var ring: ContiguousArray<Entry>
    @usableFromInline var freeTests: ContiguousArray<Int32> = []
    @usableFromInline var handHot: Int32 = -1, handCold: Int32 = -1, handTest: Int32 = -1
    /// The clock: a list of `ring` entries whose traversal wraps from its tail to its head.
    @usableFromInline var clock = IndexList()
    @usableFromInline var hotCount = 0, coldCount = 0, testCount = 0
    /// The target number of resident cold pages.
    @usableFromInline var coldTarget: Int
    @usableFromInline var used: Int32 = 0

    /// An empty CLOCK-Pro over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        coldTarget = frames
        map = PageMap(expectedCount: 2 * upfrontCapacity(frames))
        ring = []
        ring.reserveCapacity(min(2 * frames, 1 << 16))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// Starts loading the list node of `page`, when it is resident and the nodes outgrow the cache.
    /// - Complexity: O(1) expected (one map lookup); the policy is not changed.
    @inlinable
    public mutating func prefetchNode(_ page: UInt64) {
        // Only worth a second probe when the nodes outgrow the cache.
        guard frames > Self.nodePrefetchThreshold else { return }
        let n = map.find(page)
        if n != .max { ring.withUnsafeBufferPointer { vmsim_prefetch($0.baseAddress! + Int(n)) } }
    }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) amortized in practice; a single miss may sweep many entries.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max && Int(n) < frames {
            ring[Int(n)].referenced = true
            return .hit(n)
        }
        let wasTest = n != .max
        if wasTest {
            coldTarget = min(coldTarget + 1, frames)
            unlink(n)
            testCount -= 1
            freeTests.append(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            if Int(result.slot) >= ring.count { ring.append(contentsOf: repeatElement(Entry(), count: Int(result.slot) + 1 - ring.count)) }
        } else {
            result = evictCold()
            // The hands walk the ring in order: warm up the map entry of the page under each and
            // the entry after it, so the next eviction or removal finds them in the cache.
            lookAhead(handCold)
            lookAhead(handTest)
        }
        let s = result.slot
        if wasTest { map.update(page, s) } else { map.insert(page, s) }
        ring[Int(s)].page = page
        ring[Int(s)].referenced = false
        linkAtHead(s)
        if wasTest {
            ring[Int(s)].kind = Self.hot
            ring[Int(s)].inTest = false
            hotCount += 1
            while hotCount > frames - coldTarget { runHandHot() }
        } else {
            ring[Int(s)].kind = Self.cold
            ring[Int(s)].inTest = true
            coldCount += 1
        }
        return result
    }

    @inlinable @inline(__always)
    func lookAhead(_ h: Int32) {
        guard h >= 0 else { return }
        ring.withUnsafeBufferPointer { buffer in
            map.prefetch(buffer[Int(h)].page)
            vmsim_prefetch(buffer.baseAddress! + Int(clock.wrapped(buffer[Int(h)].next)))
        }
    }

    /// A number for a new test entry (after the `frames` slot numbers).
    @inlinable @inline(__always)
    mutating func takeTestNumber() -> Int32 {
        if let n = freeTests.popLast() { return n }
        if ring.count < frames { ring.append(contentsOf: repeatElement(Entry(), count: frames - ring.count)) }
        ring.append(Entry())
        return Int32(truncatingIfNeeded: ring.count - 1)
    }

    /// Runs HAND_cold until it evicts a resident cold page; returns it.
    @inlinable
    mutating func evictCold() -> ReferenceResult {
        while true {
            let e = handCold
            let i = Int(e)
            let entry = ring[i]
            if entry.kind != Self.cold {
                handCold = clock.wrapped(entry.next)
                continue
            }
            if entry.referenced {
                ring[i].referenced = false
                moveToHead(e)
                if entry.inTest {
                    // A cold page referenced during its test period: it turns hot, and mc grows.
                    coldTarget = min(coldTarget + 1, frames)
                    ring[i].kind = Self.hot
                    ring[i].inTest = false
                    coldCount -= 1
                    hotCount += 1
                    while hotCount > frames - coldTarget { runHandHot() }
                } else {
                    ring[i].inTest = true
                }
                continue
            }
            coldCount -= 1
            let victim = entry.page
            if entry.inTest {
                let g = takeTestNumber()
                ring[Int(g)].page = victim
                ring[Int(g)].kind = Self.test
                ring[Int(g)].referenced = false
                ring[Int(g)].inTest = true
                replace(e, with: g)
                map.update(victim, g)
                testCount += 1
                while testCount > frames { runHandTest() }
            } else {
                unlink(e)
                map.remove(victim)
            }
            return .evict(e, victim: victim)
        }
    }

    /// Moves HAND_hot until it demotes one hot page (the caller makes sure one exists).
    @inlinable
    mutating func runHandHot() {
        while true {
            let e = handHot
            let i = Int(e)
            let entry = ring[i]
            switch entry.kind {
            case Self.hot:
                handHot = clock.wrapped(entry.next)
                if entry.referenced {
                    ring[i].referenced = false
                    continue
                }
                ring[i].kind = Self.cold
                ring[i].inTest = false
                hotCount -= 1
                coldCount += 1
                lookAhead(handHot)
                return
            case Self.cold:
                handHot = clock.wrapped(entry.next)
                if entry.inTest {
                    ring[i].inTest = false
                    coldTarget = max(coldTarget - 1, 1)
                }
            default:
                removeTestEntry(e)
            }
        }
    }

    /// Moves HAND_test until it removes one test entry, ending the test periods it passes.
    @inlinable
    mutating func runHandTest() {
        while true {
            let e = handTest
            let i = Int(e)
            let entry = ring[i]
            if entry.kind == Self.test {
                removeTestEntry(e)
                return
            }
            handTest = clock.wrapped(entry.next)
            if entry.kind == Self.cold && entry.inTest {
                ring[i].inTest = false
                coldTarget = max(coldTarget - 1, 1)
            }
        }
    }

    @inlinable @inline(__always)
    mutating func removeTestEntry(_ e: Int32) {
        unlink(e)
        testCount -= 1
        coldTarget = max(coldTarget - 1, 1)
        map.remove(ring[Int(e)].page)
        freeTests.append(e)
    }

    /// Places `n` just behind HAND_hot.
    @inlinable @inline(__always)
    mutating func linkAtHead(_ n: Int32) {
        if clock.isEmpty {
            ring.pushHead(n, &clock)
            handHot = n; handCold = n; handTest = n
            return
        }
        ring.insert(n, before: handHot, &clock)
    }

    /// Puts `g` in `e`'s place on the ring and takes `e` off; hands on `e` move past `g` to `e`'s
    /// successor (as if `g` were linked before `e` and `e` unlinked).
    @inlinable @inline(__always)
    mutating func replace(_ e: Int32, with g: Int32) {
        ring.replace(e, with: g, &clock)
        let next = ring.next(g, wrappingIn: clock)
        if handHot == e { handHot = next }
        if handCold == e { handCold = next }
        if handTest == e { handTest = next }
    }

    /// Takes `n` off the ring; hands on it move on to its successor.
    @inlinable @inline(__always)
    mutating func unlink(_ n: Int32) {
        let next = ring.next(n, wrappingIn: clock)
        ring.remove(n, &clock)
        if clock.isEmpty {
            handHot = -1; handCold = -1; handTest = -1
            return
        }
        if handHot == n { handHot = next }
        if handCold == n { handCold = next }
        if handTest == n { handTest = next }
    }

    @inlinable @inline(__always)
    mutating func moveToHead(_ n: Int32) {
        if clock.count == 1 { return }
        unlink(n)
        linkAtHead(n)
    }
}
