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
///   every deactivation undoes an activation); 16 bytes of list, 2 bytes of state and 16 bytes of
///   map per frame.
public struct Linux2ListPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    /// `inactive_is_low`'s ratio for this memory size.
    public let inactiveRatio: Int
    @usableFromInline var map: PageMap<Int32>
    @usableFromInline var nodes: IndexLinks
    @usableFromInline var active: ContiguousArray<Bool> = []
    @usableFromInline var referenced: ContiguousArray<Bool> = []
    @usableFromInline var activeList = IndexList(), inactiveList = IndexList()
    @usableFromInline var used: Int32 = 0

    /// An empty pair of Linux active/inactive lists over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        inactiveRatio = Self.inactiveRatio(pages: frames)
        map = PageMap(expectedCount: upfrontCapacity(frames))
        nodes = IndexLinks(count: frames)
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
            if active[i] {
                referenced[i] = true
            } else if !referenced[i] {
                referenced[i] = true
            } else {
                nodes.remove(n, &inactiveList)
                nodes.pushHead(n, &activeList)
                active[i] = true
                referenced[i] = false
            }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            nodes.reserve(result.slot)
            active.cover(nodes.capacity, with: false)
            referenced.cover(nodes.capacity, with: false)
        } else {
            result = reclaim()
        }
        let s = result.slot
        nodes.setPage(s, page)
        active[Int(s)] = false
        referenced[Int(s)] = true
        nodes.pushHead(s, &inactiveList)
        map.insert(page, s)
        return result
    }

    /// Balances the lists, then scans the inactive tail for a page to reclaim.
    @inlinable
    mutating func reclaim() -> ReferenceResult {
        while inactiveList.count * inactiveRatio < activeList.count {
            let s = nodes.popTail(&activeList)
            active[Int(s)] = false
            referenced[Int(s)] = false
            nodes.pushHead(s, &inactiveList)
        }
        while true {
            let s = nodes.popTail(&inactiveList)
            if referenced[Int(s)] {
                referenced[Int(s)] = false
                nodes.pushHead(s, &inactiveList)
                continue
            }
            let victim = nodes.page(s)
            map.remove(victim)
            return .evict(s, victim: victim)
        }
    }
}
