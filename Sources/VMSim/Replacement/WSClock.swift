/// WSClock (Carr & Hennessy, SOSP 1981): the working-set policy approximated with a clock.
///
/// Semantics: virtual time counts references. Each resident page has a reference bit and a time of
/// last use; the frames form a circle swept by one hand. A hit only sets the bit. On a miss with
/// every frame taken the hand sweeps: a page with its bit set has it cleared and its time of last
/// use set to now (it is in the working set); a page with a clear bit whose age `now − last use`
/// exceeds the window `τ` (`wsclock:τ`, default 10,000 references) is outside the working set and
/// is evicted. If the hand comes all the way round without finding one, the page with the oldest
/// time of last use among those it passed is evicted (the first such in hand order). The new page
/// takes the victim's frame with its time of last use set to now and a clear bit; the hand moves
/// past it. Dirty pages are not treated specially (the simulation counts their write-backs).
///
/// - Complexity: O(1) per hit; a miss costs the length of the sweep, O(frames) in the worst case
///   (every bit cleared was set by a hit; pages younger than τ with clear bits are passed at no
///   charge); 25 bytes per frame.
public struct WSClockPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// The working-set window τ, in references.
    public let window: UInt64
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64> = []
    @usableFromInline var lastUse: ContiguousArray<UInt64> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    @usableFromInline var hand = 0
    @usableFromInline var now: UInt64 = 0

    /// The default window τ, in references.
    public static let defaultWindow = 10_000

    /// An empty WSClock over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int, window: Int = WSClockPolicy.defaultWindow) {
        precondition(frames > 0 && window > 0)
        self.frames = frames
        self.window = UInt64(window)
        map = PageMap(expectedCount: upfrontCapacity(frames))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) for a hit; a miss sweeps the clock, O(frames) in the worst case.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        now &+= 1
        let slot = map.find(page)
        if slot != .max {
            referenced[Int(slot)] = true
            return .hit(slot)
        }
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            lastUse.append(now)
            referenced.append(false)
            map.insert(page, s)
            return .fill(s)
        }
        var h = hand
        var oldest = -1
        var victimSlot = -1
        for _ in 0..<frames {
            if referenced[h] {
                referenced[h] = false
                lastUse[h] = now
            } else if now &- lastUse[h] > window {
                victimSlot = h
                break
            } else if oldest < 0 || lastUse[h] < lastUse[oldest] {
                oldest = h
            }
            h = h &+ 1 == frames ? 0 : h &+ 1
        }
        if victimSlot < 0 { victimSlot = oldest >= 0 ? oldest : h }
        let victim = pages[victimSlot]
        map.remove(victim)
        pages[victimSlot] = page
        lastUse[victimSlot] = now
        referenced[victimSlot] = false
        map.insert(page, Int32(truncatingIfNeeded: victimSlot))
        hand = victimSlot &+ 1 == frames ? 0 : victimSlot &+ 1
        return .evict(Int32(truncatingIfNeeded: victimSlot), victim: victim)
    }
}
