/// LIRS, Low Inter-reference Recency Set (Jiang & Zhang, SIGMETRICS 2002), as the paper states it.
///
/// Semantics: resident pages are LIR (low inter-reference recency) or HIR; `Lhirs = max(1,
/// ⌊frames / 100⌋)` frames are for resident HIR pages and the other `Llirs` for LIR pages. Stack S
/// orders LIR pages, resident HIR pages and non-resident HIR pages (ghosts) by recency, the most
/// recent on top; its bottom is always a LIR page ("stack pruning" removes HIR entries from the
/// bottom after every change there). List Q holds the resident HIR pages, the next victim at its
/// front.
/// - A hit on a LIR page moves it to the top of S (then prunes).
/// - A hit on a resident HIR page moves it to the top of S. If it was in S it becomes LIR, leaves Q,
///   and the LIR page at the bottom of S becomes HIR and goes to the end of Q (then S is pruned);
///   otherwise it stays HIR and moves to the end of Q.
/// - A miss while frames are free loads the page as LIR until `Llirs` pages are LIR, then as HIR
///   (top of S, end of Q). With every frame taken, the HIR page at the front of Q is evicted (a ghost
///   stays in its place in S if it was in S). If the missing page was a ghost in S it becomes LIR at
///   the top of S and the bottom LIR page is demoted as above; otherwise it enters as HIR.
/// - S is bounded at `2 × frames` entries: beyond that the ghost that became non-resident earliest
///   is dropped (libCacheSim's bound; the paper leaves S unbounded).
///
/// Variant: libCacheSim's `LIRS` departs from the paper in two places, so its miss counts differ
/// (bench/paging_vs_libcachesim.py prints both): a hit on a resident HIR page that is not in S
/// demotes a LIR page when the LIR set is full, which evicts the page at the front of Q on a hit
/// (and with `Lhirs = 1` the page just hit); and a miss on a ghost in S demotes two LIR pages
/// instead of one. With 1 frame there is no LIR room, so VMSim's LIRS is LRU (libCacheSim caches
/// nothing).
///
/// - Complexity: O(1) amortized per reference (each entry pruned from S was pushed once); at most
///   `2 × frames` entries of 32 bytes of list, two bytes of state and 16 bytes of map.
public struct LIRSPolicy: ReplacementPolicy {
    /// The number of page frames the policy manages.
    public let frames: Int
    @usableFromInline static var nodePrefetchThreshold: Int { 1 << 15 }
    /// Frames for LIR pages and for resident HIR pages.
    public let lirLimit: Int, hirLimit: Int

    @usableFromInline var map: PageMap<Int32>
    /// S (stack order, top at the head), and Q / the non-resident order (front at the tail).
    @usableFromInline var stack: IndexLinks
    @usableFromInline var queue: IndexLinks
    @usableFromInline var isLIR: ContiguousArray<Bool> = []
    @usableFromInline var inS: ContiguousArray<Bool> = []
    @usableFromInline var s = IndexList(), q = IndexList(), nonResident = IndexList()
    @usableFromInline var ghosts: GhostNumbers
    @usableFromInline var lirCount = 0
    @usableFromInline var used: Int32 = 0

    /// An empty LIRS over `frames` page frames (at least 1).
    /// - Complexity: O(min(frames, 2^16)) to allocate its tables.
    public init(frames: Int) {
        precondition(frames > 0)
        self.frames = frames
        hirLimit = max(1, Int(0.01 * Double(frames)))
        lirLimit = frames - hirLimit
        map = PageMap(expectedCount: 2 * upfrontCapacity(frames))
        stack = IndexLinks(count: frames)
        queue = IndexLinks(count: frames)
        ghosts = GhostNumbers(firstNumber: frames)
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
        if n != .max { stack.prefetchNode(n) }
    }

    @inlinable
    func isResident(_ n: Int32) -> Bool { Int(n) < frames }

    /// References `page`: a hit, a fill or an eviction, as the type describes.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func reference(_ page: UInt64, nextUse: Int64) -> ReferenceResult {
        let n = map.find(page)
        if n != .max && isResident(n) {
            let i = Int(n)
            if isLIR[i] {
                let wasBottom = s.tail == n
                stack.moveToHead(n, &s)
                if wasBottom { prune() }
            } else if inS[i] && lirLimit > 0 {
                stack.moveToHead(n, &s)
                queue.remove(n, &q)
                isLIR[i] = true
                lirCount += 1
                demoteBottomLIR()
            } else {
                if inS[i] { stack.moveToHead(n, &s) } else { stack.pushHead(n, &s); inS[i] = true }
                queue.moveToHead(n, &q)
                boundStack()
            }
            return .hit(n)
        }
        var result: ReferenceResult
        if Int(used) < frames {
            result = .fill(used)
            used &+= 1
            stack.reserve(result.slot)
            queue.reserve(result.slot)
            isLIR.cover(stack.capacity, with: false)
            inS.cover(stack.capacity, with: false)
        } else {
            result = evictFrontOfQ()
        }
        let slot = result.slot
        let i = Int(slot)
        stack.setPage(slot, page)
        // A page found but not resident is a ghost in S (evicting the front of Q adds ghosts but
        // never drops one, so `n` is still valid).
        let ghost: Int32 = n == .max ? -1 : n
        if ghost >= 0 {
            stack.remove(ghost, &s)
            queue.remove(ghost, &nonResident)
            ghosts.release(ghost)
            map.update(page, slot)
        } else {
            map.insert(page, slot)
        }
        stack.pushHead(slot, &s)
        inS[i] = true
        if ghost >= 0 && lirLimit > 0 {
            isLIR[i] = true
            lirCount += 1
            demoteBottomLIR()
        } else if lirCount < lirLimit {
            isLIR[i] = true
            lirCount += 1
        } else {
            isLIR[i] = false
            queue.pushHead(slot, &q)
        }
        boundStack()
        return result
    }

    /// Evicts the resident HIR page at the front of Q, leaving a ghost in its place in S.
    @inlinable
    mutating func evictFrontOfQ() -> ReferenceResult {
        let v = queue.popTail(&q)
        let victim = stack.page(v)
        if inS[Int(v)] {
            let g = ghosts.take(&stack)
            queue.reserve(g)
            isLIR.cover(stack.capacity, with: false)
            inS.cover(stack.capacity, with: false)
            stack.setPage(g, victim)
            isLIR[Int(g)] = false
            inS[Int(g)] = true
            stack.insert(g, before: v, &s)
            stack.remove(v, &s)
            queue.pushHead(g, &nonResident)
            map.update(victim, g)
        } else {
            map.remove(victim)
        }
        inS[Int(v)] = false
        return .evict(v, victim: victim)
    }

    /// Turns the LIR page at the bottom of S into a resident HIR page at the end of Q (the LIR set
    /// has one page too many), then prunes S.
    @inlinable
    mutating func demoteBottomLIR() {
        let b = stack.popTail(&s)
        inS[Int(b)] = false
        isLIR[Int(b)] = false
        lirCount -= 1
        queue.pushHead(b, &q)
        prune()
        boundStack()
    }

    /// Removes HIR entries from the bottom of S until a LIR page is there.
    @inlinable
    mutating func prune() {
        while s.count > 0 {
            let b = s.tail
            if isLIR[Int(b)] { return }
            stack.remove(b, &s)
            inS[Int(b)] = false
            if !isResident(b) { dropGhost(b) }
        }
    }

    @inlinable
    mutating func dropGhost(_ g: Int32) {
        queue.remove(g, &nonResident)
        map.remove(stack.page(g))
        ghosts.release(g)
    }

    /// Keeps S at `2 × frames` entries by dropping the oldest ghosts.
    @inlinable
    mutating func boundStack() {
        while s.count > 2 * frames && nonResident.count > 0 {
            let g = nonResident.tail
            stack.remove(g, &s)
            dropGhost(g)
        }
    }
}
