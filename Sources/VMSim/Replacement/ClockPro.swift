/// CLOCK-Pro (Jiang, Chen & Zhang, USENIX ATC 2005), as the paper states it.
///
/// Semantics: resident pages are hot or cold; cold pages that were loaded or re-referenced recently
/// are "in their test period", and a cold page evicted during its test period stays on the clock as
/// a non-resident test entry (at most `frames` of them). All entries sit on one circular list; a
/// page that is loaded or moved "to the head" is placed just behind HAND_hot (the position the hot
/// hand reaches last). Hits only set the page's reference bit. `mc`, the target number of cold
/// pages, starts at `frames` and adapts within `1...frames`: +1 when a test entry is referenced
/// (the page is loaded as hot), −1 whenever a test period ends without a reference.
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
/// - Complexity: O(1) amortized per reference in practice (every bit a hand clears was set by a
///   hit, every status change of an entry follows a reference or an eviction), though a single miss
///   may move a hand past O(frames) entries; at most `2 × frames` entries of 16 bytes of list,
///   3 bytes of state and 16 bytes of map.
public struct ClockProPolicy: ReplacementPolicy {
    public let frames: Int
    @usableFromInline static let hot: UInt8 = 0, cold: UInt8 = 1, test: UInt8 = 2

    @usableFromInline var map: PageMap<Int32>
    /// The circular list (links wrap around; no ends).
    @usableFromInline var ring: IndexLinks
    @usableFromInline var kind: ContiguousArray<UInt8> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    @usableFromInline var inTest: ContiguousArray<Bool> = []
    @usableFromInline var handHot: Int32 = -1, handCold: Int32 = -1, handTest: Int32 = -1
    @usableFromInline var ringCount = 0
    @usableFromInline var hotCount = 0, coldCount = 0, testCount = 0
    /// The target number of resident cold pages.
    @usableFromInline var coldTarget: Int
    @usableFromInline var ghosts: GhostNumbers
    @usableFromInline var used: Int32 = 0

    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        coldTarget = frames
        map = PageMap(expectedCount: min(2 * frames, 1 << 20))
        ring = IndexLinks(count: frames)
        ghosts = GhostNumbers(firstNumber: frames)
    }

    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max && Int(n) < frames {
            referenced[Int(n)] = true
            return .hit(n)
        }
        let wasTest = n != .max
        if wasTest {
            coldTarget = min(coldTarget + 1, frames)
            unlink(n)
            testCount -= 1
            map.remove(page)
            ghosts.release(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            ring.reserve(result.slot)
            cover()
        } else {
            result = evictCold()
        }
        let s = result.slot
        ring.setPage(s, page)
        map.insert(page, s)
        referenced[Int(s)] = false
        linkAtHead(s)
        if wasTest {
            kind[Int(s)] = Self.hot
            inTest[Int(s)] = false
            hotCount += 1
            while hotCount > frames - coldTarget { runHandHot() }
        } else {
            kind[Int(s)] = Self.cold
            inTest[Int(s)] = true
            coldCount += 1
        }
        return result
    }

    @inlinable
    mutating func cover() {
        kind.cover(ring.capacity, with: 0)
        referenced.cover(ring.capacity, with: false)
        inTest.cover(ring.capacity, with: false)
    }

    /// Runs HAND_cold until it evicts a resident cold page; returns it.
    @inlinable
    mutating func evictCold() -> ReferenceResult {
        while true {
            let e = handCold
            let i = Int(e)
            if kind[i] != Self.cold {
                handCold = ring.next(e)
                continue
            }
            if referenced[i] {
                referenced[i] = false
                moveToHead(e)
                if inTest[i] {
                    kind[i] = Self.hot
                    inTest[i] = false
                    coldCount -= 1
                    hotCount += 1
                    while hotCount > frames - coldTarget { runHandHot() }
                } else {
                    inTest[i] = true
                }
                continue
            }
            coldCount -= 1
            let victim = ring.page(e)
            if inTest[i] {
                let g = ghosts.take(&ring)
                cover()
                ring.setPage(g, victim)
                kind[Int(g)] = Self.test
                referenced[Int(g)] = false
                inTest[Int(g)] = true
                linkBefore(g, e)
                unlink(e)
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
            switch kind[i] {
            case Self.hot:
                handHot = ring.next(e)
                if referenced[i] {
                    referenced[i] = false
                    continue
                }
                kind[i] = Self.cold
                inTest[i] = false
                hotCount -= 1
                coldCount += 1
                return
            case Self.cold:
                handHot = ring.next(e)
                if inTest[i] {
                    inTest[i] = false
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
            if kind[i] == Self.test {
                removeTestEntry(e)
                return
            }
            handTest = ring.next(e)
            if kind[i] == Self.cold && inTest[i] {
                inTest[i] = false
                coldTarget = max(coldTarget - 1, 1)
            }
        }
    }

    @inlinable
    mutating func removeTestEntry(_ e: Int32) {
        unlink(e)
        testCount -= 1
        coldTarget = max(coldTarget - 1, 1)
        map.remove(ring.page(e))
        ghosts.release(e)
    }

    /// Places `n` just behind HAND_hot.
    @inlinable
    mutating func linkAtHead(_ n: Int32) {
        if ringCount == 0 {
            ring.links[Int(n)].prev = n
            ring.links[Int(n)].next = n
            ringCount = 1
            handHot = n; handCold = n; handTest = n
            return
        }
        linkBefore(n, handHot)
    }

    @inlinable
    mutating func linkBefore(_ n: Int32, _ successor: Int32) {
        let p = ring.prev(successor)
        ring.links[Int(n)].prev = p
        ring.links[Int(n)].next = successor
        ring.links[Int(p)].next = n
        ring.links[Int(successor)].prev = n
        ringCount += 1
    }

    /// Takes `n` off the ring; hands on it move on to its successor.
    @inlinable
    mutating func unlink(_ n: Int32) {
        let l = ring.links[Int(n)]
        ringCount -= 1
        if ringCount == 0 {
            handHot = -1; handCold = -1; handTest = -1
            return
        }
        ring.links[Int(l.prev)].next = l.next
        ring.links[Int(l.next)].prev = l.prev
        if handHot == n { handHot = l.next }
        if handCold == n { handCold = l.next }
        if handTest == n { handTest = l.next }
    }

    @inlinable
    mutating func moveToHead(_ n: Int32) {
        if ringCount == 1 { return }
        unlink(n)
        linkAtHead(n)
    }
}
