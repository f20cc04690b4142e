/// Not recently used (NRU), with referenced and modified bits (Tanenbaum, Modern Operating Systems).
///
/// Semantics: each resident page has a referenced bit R, set by every reference, and a modified
/// bit M, set by every store and clear when the page is loaded. Every `N` references (`nru:N`; by
/// default `N = frames`), a clock tick clears every R bit. The pages fall in four classes,
/// `2 × R + M`: 0 not referenced, not modified; 1 not referenced, modified; 2 referenced, not
/// modified; 3 referenced and modified. On a miss with every frame taken, the victim is drawn
/// uniformly at random (the run's seeded generator, one draw per eviction) from the lowest-numbered
/// non-empty class. The new page takes the victim's frame with R set (the faulting reference) and M
/// clear.
///
/// The classes are kept as arrays with each page's position, so a page changes class and a victim
/// is drawn in O(1); a tick moves the pages of classes 2 and 3 down to 0 and 1.
///
/// - Complexity: O(1) amortized per reference (a tick moves only pages referenced since the
///   previous tick); 32 bytes per frame.
public struct NRUPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// References between two clearings of the R bits.
    public let interval: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var pages: ContiguousArray<UInt64> = []
    /// Each slot's class (`2 × R + M`) and position in its class array.
    @usableFromInline var klass: ContiguousArray<UInt8> = []
    @usableFromInline var position: ContiguousArray<Int32> = []
    @usableFromInline var classes: (ContiguousArray<Int32>, ContiguousArray<Int32>, ContiguousArray<Int32>, ContiguousArray<Int32>) = ([], [], [], [])
    @usableFromInline var rng: SimRandom
    @usableFromInline var untilTick: Int

    /// An empty NRU policy over `frames` page frames.
    /// - Parameter interval: references between clock ticks; `nil` means `frames`.
    /// - Parameter frames: the page frames (at least 1).
    /// - Parameter seed: seeds the choice within the lowest class.
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int, interval: Int? = nil, seed: UInt64) {
        precondition(frames > 0)
        self.frames = frames
        self.interval = max(1, interval ?? frames)
        untilTick = self.interval
        rng = SimRandom(seed: seed)
        map = PageMap(expectedCount: upfrontCapacity(frames))
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// Sets the modified bit of the page in `slot`, moving it to its (R, M) class.
    /// - Complexity: O(1).
    @inlinable
    public mutating func noteStore(_ slot: Int32) {
        let c = klass[Int(slot)]
        if c & 1 == 0 { move(slot, to: c | 1) }
    }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1), plus the pages referenced since the previous tick on a tick: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        untilTick -= 1
        if untilTick == 0 {
            untilTick = interval
            tick()
        }
        let slot = map.find(page)
        if slot != .max {
            let c = klass[Int(slot)]
            if c < 2 { move(slot, to: c | 2) }
            return .hit(slot)
        }
        if pages.count < frames {
            let s = Int32(truncatingIfNeeded: pages.count)
            pages.append(page)
            klass.append(2)
            position.append(0)
            append(s, to: 2)
            map.insert(page, s)
            return .fill(s)
        }
        var c: UInt8 = 0
        while count(of: c) == 0 { c += 1 }
        let victimSlot = member(of: c, at: Int(rng.below(UInt64(count(of: c)))))
        let victim = pages[Int(victimSlot)]
        map.remove(victim)
        pages[Int(victimSlot)] = page
        map.insert(page, victimSlot)
        move(victimSlot, to: 2)
        return .evict(victimSlot, victim: victim)
    }

    @inlinable
    func count(of c: UInt8) -> Int {
        switch c {
        case 0: classes.0.count
        case 1: classes.1.count
        case 2: classes.2.count
        default: classes.3.count
        }
    }

    @inlinable
    func member(of c: UInt8, at i: Int) -> Int32 {
        switch c {
        case 0: classes.0[i]
        case 1: classes.1[i]
        case 2: classes.2[i]
        default: classes.3[i]
        }
    }

    @inlinable
    mutating func append(_ s: Int32, to c: UInt8) {
        klass[Int(s)] = c
        switch c {
        case 0: position[Int(s)] = Int32(classes.0.count); classes.0.append(s)
        case 1: position[Int(s)] = Int32(classes.1.count); classes.1.append(s)
        case 2: position[Int(s)] = Int32(classes.2.count); classes.2.append(s)
        default: position[Int(s)] = Int32(classes.3.count); classes.3.append(s)
        }
    }

    /// Swap-removes `s` from its class array and appends it to class `c`.
    @inlinable
    mutating func move(_ s: Int32, to c: UInt8) {
        let i = Int(position[Int(s)])
        let moved: Int32
        switch klass[Int(s)] {
        case 0: moved = classes.0.removeLast(); if moved != s { classes.0[i] = moved }
        case 1: moved = classes.1.removeLast(); if moved != s { classes.1[i] = moved }
        case 2: moved = classes.2.removeLast(); if moved != s { classes.2[i] = moved }
        default: moved = classes.3.removeLast(); if moved != s { classes.3[i] = moved }
        }
        if moved != s { position[Int(moved)] = Int32(i) }
        append(s, to: c)
    }

    /// The clock tick: every R bit is cleared (classes 2 and 3 join 0 and 1, in order).
    @usableFromInline
    mutating func tick() {
        for s in classes.2 { klass[Int(s)] = 0; position[Int(s)] = Int32(classes.0.count); classes.0.append(s) }
        for s in classes.3 { klass[Int(s)] = 1; position[Int(s)] = Int32(classes.1.count); classes.1.append(s) }
        classes.2.removeAll(keepingCapacity: true)
        classes.3.removeAll(keepingCapacity: true)
    }
}
