/// Linux's classic two-list page reclaim (active and inactive LRU lists, before MGLRU), reduced
/// to one memory and one page type.
///
/// Semantics, after mm/swap.c and mm/vmscan.c:
/// - A reference works like `folio_mark_accessed`: an inactive page without `referenced` gets it;
///   an inactive page with it is activated (moved to the head of the active list, `referenced`
///   cleared); an active page gets `referenced`. Nothing else moves on a reference.
/// - A missing page is added at the head of the inactive list, with `referenced` set by the
///   faulting access (so a second access activates it).
/// - Reclaim, when a miss finds every frame taken: first the lists are balanced as `shrink_list`
///   does through `inactive_is_low`: while `inactive × ratio < active` the page at the active
///   tail is deactivated (to the inactive head, `referenced` cleared), where
///   `ratio = int_sqrt(10 × gb)` for a total of `gb` GiB of 4 KiB pages (1 below 1 GiB). Then the
///   inactive list is scanned from its tail, as `shrink_folio_list` after `folio_check_references`:
///   a page with `referenced` set has it cleared and is rotated to the inactive head; the first
///   page without it is reclaimed, and the new page takes its frame.
///
/// Simplified: no anon/file split or swappiness (one list pair), no per-PTE accessed bits separate
/// from `PG_referenced` (one flag stands for both), no batching (`SWAP_CLUSTER_MAX`), watermarks or
/// kswapd: reclaim frees exactly one page when a miss needs a frame.
///
/// - Complexity: O(1) amortized per reference (every rotation clears a flag set by a reference,
///   every deactivation undoes an activation); 12 bytes of list (`LRUVector`, the kernel's lists),
///   9 bytes of page and state and 16 bytes of map per frame.
public struct Linux2ListPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// `inactive_is_low`'s ratio for this memory size.
    public let inactiveRatio: Int
    @usableFromInline var map: PageMap<Int32>
    /// The lists, the kernel's own `LRUVector` (file lists), keyed by slot.
    @usableFromInline var lru: LRUVector
    /// The page in each slot.
    @usableFromInline var pages: ContiguousArray<UInt64> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    @usableFromInline var used: Int32 = 0

    /// An empty pair of Linux active/inactive lists over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        inactiveRatio = Self.inactiveRatio(pages: frames)
        map = PageMap(expectedCount: upfrontCapacity(frames))
        lru = LRUVector(frames: frames)
    }

    /// `inactive_is_low`'s ratio for `pages` 4 KiB pages: `int_sqrt(10 × gb)`, or 1 below 1 GiB.
    /// - Complexity: O(√(pages / 2^18)).
    public static func inactiveRatio(pages: Int) -> Int {
        let gb = pages >> 18
        guard gb > 0 else { return 1 }
        var r = 0
        while (r + 1) * (r + 1) <= 10 * gb { r += 1 }
        return r
    }

    /// Starts loading the map entry that `page`'s lookup probes first.
    /// - Complexity: O(1); the policy is not changed.
    @inlinable
    public mutating func prefetch(_ page: UInt64) { map.prefetch(page) }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max {
            let i = Int(n)
            if lru.isActive(n) {
                referenced[i] = true
            } else if !referenced[i] {
                referenced[i] = true
            } else {
                lru.move(n, to: .activeFile)
                referenced[i] = false
            }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            pages.cover(Int(used), with: 0)
            referenced.cover(Int(used), with: false)
        } else {
            result = reclaim()
        }
        let s = result.slot
        pages[Int(s)] = page
        referenced[Int(s)] = true
        lru.add(s, to: .inactiveFile)
        map.insert(page, s)
        return result
    }

    /// Balances the lists, then scans the inactive tail for a page to reclaim.
    @inlinable
    mutating func reclaim() -> ReferenceResult {
        while lru.count(.inactiveFile) * inactiveRatio < lru.count(.activeFile) {
            let s = lru.tail(.activeFile)
            referenced[Int(s)] = false
            lru.move(s, to: .inactiveFile)
        }
        while true {
            let s = lru.tail(.inactiveFile)
            if referenced[Int(s)] {
                referenced[Int(s)] = false
                lru.move(s, to: .inactiveFile)
                continue
            }
            lru.remove(s)
            let victim = pages[Int(s)]
            map.remove(victim)
            return .evict(s, victim: victim)
        }
    }
}
