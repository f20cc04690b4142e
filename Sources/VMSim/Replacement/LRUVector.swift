/// Linux's `struct lruvec`: the LRU lists of the classic two-list reclaim (`enum lru_list`:
/// inactive and active anon, inactive and active file, unevictable) and the multi-generational
/// LRU's generation lists (`struct lru_gen_folio`: `folios[MAX_NR_GENS][ANON_AND_FILE]`, with
/// `max_seq` and `min_seq[ANON_AND_FILE]`), all threaded by frame number through one flat array,
/// head the newest end and tail the oldest (the end reclaim scans). A frame is on at most one
/// list, of either kind; a machine uses one kind (`lru_gen_enabled()`).
///
/// One implementation serves the trace policies `linux-2list` (`Linux2ListPolicy`) and `mglru`
/// (`MGLRUPolicy`), whose frames are their slots, and the kernel of `vmsim run`, whose frames are
/// page frame numbers, so the oracle tests of the trace policies guard the kernel's lists too.
/// What a frame holds and why it moves is the owner's business; the vector keeps the lists, the
/// pages on each (a folio of order 9 counts 512, as `lru_gen_update_size` and
/// `update_lru_size` count), and the sliding window of generations.
///
///     var lru = LRUVector(frames: 8)
///     lru.add(3, to: .inactiveAnon)          // lruvec_add_folio: to the head
///     lru.add(5, to: .inactiveAnon)          // 5 3
///     lru.move(3, to: .activeAnon)           // folio_activate
///     lru.tail(.inactiveAnon)                // 5
///
///     var gens = LRUVector(frames: 8)        // max_seq 3, min_seq 0: generations 0...3
///     gens.add(2, generation: 3, type: .anon)
///     gens.seq(of: 2)                        // 3
///     gens.isActive(seq: 2)                  // true: the two youngest count as active
///
/// A vector can hold several groups of these lists, one per memory cgroup (the kernel's lruvec
/// of each `mem_cgroup` on the node): a frame belongs to one group (`setGroup`, from its charge),
/// and the two-list operations take the group whose lists they use (group 0 by default, the only
/// one when no cgroup exists). The generation lists are group 0's.
///
/// - Complexity: O(1) per operation; 12 bytes per frame.
public struct LRUVector: Sendable {
    /// `enum lru_list`, in the kernel's order.
    public enum List: Int, CaseIterable, Sendable, CustomStringConvertible {
        case inactiveAnon, activeAnon, inactiveFile, activeFile, unevictable

        /// Whether this is an active list (`is_active_lru`).
        @inlinable public var isActive: Bool { self == .activeAnon || self == .activeFile }
        /// Whether this is a file list (`is_file_lru`).
        @inlinable public var isFile: Bool { self == .inactiveFile || self == .activeFile }
        /// The inactive list of `file` pages or anonymous ones.
        @inlinable public static func inactive(file: Bool) -> List { file ? .inactiveFile : .inactiveAnon }
        /// The active list of `file` pages or anonymous ones.
        @inlinable public static func active(file: Bool) -> List { file ? .activeFile : .activeAnon }
        /// The kernel's name (`inactive_anon`, ...), as /proc/vmstat's `nr_` counters use it.
        public var description: String {
            ["inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable"][rawValue]
        }
    }

    /// `LRU_GEN_ANON` and `LRU_GEN_FILE`: the two page types of the generation lists.
    public enum PageType: Int, CaseIterable, Sendable, CustomStringConvertible {
        case anon, file
        /// The type of a file page (`folio_is_file_lru`) or of an anonymous one.
        @inlinable public init(file: Bool) { self = file ? .file : .anon }
        /// `anon` or `file`.
        public var description: String { self == .anon ? "anon" : "file" }
    }

    /// `MAX_NR_GENS` and `MIN_NR_GENS`: the most and the fewest generations of a type at once.
    public static let maxGenerations = 4, minGenerations = 2

    @usableFromInline struct Node: IndexLinked, Sendable {
        @usableFromInline var prev: Int32
        @usableFromInline var next: Int32
        /// The list the frame is on, or -1: a `List` (0...4), or 5 + gen × 2 + type.
        @usableFromInline var list: Int8
        /// `folio_order`: the frame counts 2^order pages.
        @usableFromInline var order: UInt8
        /// The group (memory cgroup) whose lists the frame joins.
        @usableFromInline var group: UInt16
        @inlinable init() { prev = -1; next = -1; list = -1; order = 0; group = 0 }
    }

    @usableFromInline static let classicLists = List.allCases.count
    /// Lists per group: the classic ones, then a slot per generation and type.
    @usableFromInline static let listsPerGroup = classicLists + 2 * maxGenerations
    @usableFromInline var nodes: ContiguousArray<Node>
    /// Every group's lists, group g's at `g * listsPerGroup`.
    @usableFromInline var lists: ContiguousArray<IndexList>
    /// Pages on each list of each group, and on each list over all groups.
    @usableFromInline var listPages: ContiguousArray<Int>
    @usableFromInline var totalListPages: ContiguousArray<Int>
    /// `lrugen->max_seq`: the youngest generation.
    public var maxSeq: UInt64 { maxSeqStorage }
    @usableFromInline var maxSeqStorage: UInt64
    /// `lrugen->min_seq[type]`: the oldest generation of each type (anon, file).
    @usableFromInline var minSeqs: (UInt64, UInt64)

    /// Empty lists with room for `frames` frames to start with (more are added as frames are used,
    /// up to 65,536 upfront). The generation window starts at `min_seq` 0 and `maxSeq` (the
    /// kernel's `lru_gen_init_lruvec` starts at `MIN_NR_GENS + 1`, four generations).
    /// - Complexity: O(min(frames, 2^16)).
    public init(frames: Int, maxSeq: UInt64 = UInt64(LRUVector.minGenerations + 1)) {
        precondition(maxSeq >= UInt64(Self.minGenerations - 1) && maxSeq < UInt64(Self.maxGenerations))
        nodes = ContiguousArray(repeating: Node(), count: Swift.max(1, Swift.min(frames, 1 << 16)))
        lists = ContiguousArray(repeating: IndexList(), count: Self.listsPerGroup)
        listPages = ContiguousArray(repeating: 0, count: lists.count)
        totalListPages = listPages
        maxSeqStorage = maxSeq
        minSeqs = (0, 0)
    }

    // MARK: Either kind of list

    /// Whether `frame` is on a list of either kind (`PG_lru`).
    /// - Complexity: O(1).
    @inlinable public func isOnList(_ frame: Int32) -> Bool {
        Int(frame) < nodes.count && nodes[Int(frame)].list >= 0
    }

    /// `lruvec_del_folio` / `lru_gen_del_folio`: `frame` leaves its list (nothing happens when it is
    /// on none).
    /// - Complexity: O(1).
    @inlinable
    public mutating func remove(_ frame: Int32) {
        guard Int(frame) < nodes.count else { return }
        let l = Int(nodes[Int(frame)].list)
        guard l >= 0 else { return }
        let slot = Int(nodes[Int(frame)].group) * Self.listsPerGroup + l
        nodes.remove(frame, &lists[slot])
        let n = 1 << Int(nodes[Int(frame)].order)
        listPages[slot] -= n
        totalListPages[l] -= n
        nodes[Int(frame)].list = -1
    }

    /// Pages on every list of both kinds.
    /// - Complexity: O(1).
    public var totalPages: Int { totalListPages.reduce(0, +) }

    // MARK: Groups

    /// The groups (1 + the memory cgroups made so far).
    /// - Complexity: O(1).
    public var groups: Int { lists.count / Self.listsPerGroup }

    /// A new, empty group of lists; returns its number.
    /// - Complexity: O(1) amortized.
    public mutating func addGroup() -> Int {
        precondition(groups < Int(UInt16.max), "too many groups")
        lists.append(contentsOf: repeatElement(IndexList(), count: Self.listsPerGroup))
        listPages.append(contentsOf: repeatElement(0, count: Self.listsPerGroup))
        return groups - 1
    }

    /// The group `frame` belongs to (0 unless `setGroup` said otherwise).
    /// - Complexity: O(1).
    @inlinable public func group(of frame: Int32) -> Int {
        Int(frame) < nodes.count ? Int(nodes[Int(frame)].group) : 0
    }

    /// `frame`, on no list, belongs to `group` from now on (`commit_charge`: the folio's memcg).
    /// - Complexity: O(1) amortized.
    public mutating func setGroup(_ frame: Int32, _ group: Int) {
        precondition(group >= 0 && group < groups, "no group \(group)")
        if Int(frame) >= nodes.count {
            guard group != 0 else { return }
            grow(to: Int(frame))
        }
        precondition(nodes[Int(frame)].list < 0, "frame \(frame) changes group while on a list")
        nodes[Int(frame)].group = UInt16(group)
    }

    @usableFromInline mutating func grow(to frame: Int) {
        nodes.append(contentsOf: repeatElement(Node(), count: Swift.max(frame + 1, nodes.count * 2) - nodes.count))
    }

    /// The frame after `frame` towards the head of its list (newer), or -1.
    /// - Complexity: O(1).
    @inlinable public func newer(than frame: Int32) -> Int32 { nodes[Int(frame)].prev }

    @inlinable
    mutating func link(_ frame: Int32, on l: Int, order: UInt8, atTail: Bool) {
        if Int(frame) >= nodes.count { grow(to: Int(frame)) }
        nodes[Int(frame)].list = Int8(l)
        nodes[Int(frame)].order = order
        let slot = Int(nodes[Int(frame)].group) * Self.listsPerGroup + l
        listPages[slot] += 1 << Int(order)
        totalListPages[l] += 1 << Int(order)
        if atTail { nodes.pushTail(frame, &lists[slot]) } else { nodes.pushHead(frame, &lists[slot]) }
    }

    /// Frames on list slot `l` (a group's list), head first.
    func frames(onList l: Int) -> [Int32] {
        var out: [Int32] = [], n = lists[l].head
        while n >= 0 { out.append(n); n = nodes[Int(n)].next }
        return out
    }

    // MARK: The two-list LRU

    /// The classic list `frame` is on, or nil (also when it is on a generation list).
    /// - Complexity: O(1).
    @inlinable public func list(of frame: Int32) -> List? {
        Int(frame) < nodes.count ? List(rawValue: Int(nodes[Int(frame)].list)) : nil
    }

    /// Whether `frame` is on an active list.
    /// - Complexity: O(1).
    @inlinable public func isActive(_ frame: Int32) -> Bool {
        let l = nodes[Int(frame)].list
        return l == Int8(List.activeAnon.rawValue) || l == Int8(List.activeFile.rawValue)
    }

    /// Frames (folios) on `list` of `group`.
    /// - Complexity: O(1).
    @inlinable public func count(_ list: List, in group: Int = 0) -> Int { lists[group * Self.listsPerGroup + list.rawValue].count }

    /// Pages on `list` over every group (`node_page_state(pgdat, NR_LRU_BASE + lru)`): a huge
    /// folio counts all its pages.
    /// - Complexity: O(1).
    @inlinable public func pages(_ list: List) -> Int { totalListPages[list.rawValue] }

    /// Pages on `list` of `group` (`lruvec_page_state(lruvec, NR_LRU_BASE + lru)`).
    /// - Complexity: O(1).
    @inlinable public func pages(_ list: List, in group: Int) -> Int { listPages[group * Self.listsPerGroup + list.rawValue] }

    /// The oldest frame of `list` of `group`, or -1.
    /// - Complexity: O(1).
    @inlinable public func tail(_ list: List, in group: Int = 0) -> Int32 { lists[group * Self.listsPerGroup + list.rawValue].tail }
    /// The newest frame of `list` of `group`, or -1.
    /// - Complexity: O(1).
    @inlinable public func head(_ list: List, in group: Int = 0) -> Int32 { lists[group * Self.listsPerGroup + list.rawValue].head }

    /// `lruvec_add_folio` (to the head) or `lruvec_add_folio_tail`: `frame`, on no list, joins
    /// `list`, counting 2^`order` pages.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func add(_ frame: Int32, to list: List, atTail: Bool = false, order: UInt8 = 0) {
        link(frame, on: list.rawValue, order: order, atTail: atTail)
    }

    /// `frame` goes to the head of `list` (from whichever list it was on, or none).
    /// - Complexity: O(1).
    @inlinable
    public mutating func move(_ frame: Int32, to list: List) {
        let order = Int(frame) < nodes.count ? nodes[Int(frame)].order : 0
        remove(frame)
        add(frame, to: list, order: order)
    }

    /// Frames on `list` of `group`, head (newest) first.
    /// - Complexity: O(list length).
    public func frames(on list: List, in group: Int = 0) -> [Int32] { frames(onList: group * Self.listsPerGroup + list.rawValue) }

    // MARK: The multi-generational LRU

    /// `lru_gen_from_seq`: the list slot of generation `seq`.
    @inlinable static func genList(_ seq: UInt64, _ type: PageType) -> Int {
        classicLists + Int(seq % UInt64(maxGenerations)) * 2 + type.rawValue
    }

    /// `lrugen->min_seq[type]`.
    /// - Complexity: O(1).
    @inlinable public func minSeq(_ type: PageType) -> UInt64 { type == .anon ? minSeqs.0 : minSeqs.1 }

    /// `get_nr_gens`: generations of `type` (`max_seq - min_seq[type] + 1`).
    /// - Complexity: O(1).
    @inlinable public func generations(_ type: PageType) -> Int { Int(maxSeq &- minSeq(type)) + 1 }

    /// `lru_gen_is_active`: the two youngest generations count as active (for the
    /// active/inactive counters of /proc/vmstat and meminfo).
    /// - Complexity: O(1).
    @inlinable public func isActive(seq: UInt64) -> Bool { seq &+ 1 >= maxSeq }

    /// `folio_lru_gen` as a sequence number: the generation `frame` is in and its type, or nil
    /// when it is on no generation list.
    /// - Complexity: O(1).
    @inlinable public func generation(of frame: Int32) -> (seq: UInt64, type: PageType)? {
        guard Int(frame) < nodes.count else { return nil }
        let l = Int(nodes[Int(frame)].list) - Self.classicLists
        guard l >= 0 else { return nil }
        let type = PageType(rawValue: l & 1)!, gen = UInt64(l >> 1)
        // The one sequence number of the window [min_seq, max_seq] with this slot.
        let back = (maxSeq &- gen) % UInt64(Self.maxGenerations)
        return (maxSeq &- back, type)
    }

    /// `seq(of:)`'s sequence number alone.
    /// - Complexity: O(1).
    @inlinable public func seq(of frame: Int32) -> UInt64? { generation(of: frame)?.seq }

    /// Frames (folios) in generation `seq` of `type`.
    /// - Complexity: O(1).
    @inlinable public func count(seq: UInt64, _ type: PageType) -> Int { lists[Self.genList(seq, type)].count }

    /// Pages in generation `seq` of `type` (`lrugen->nr_pages[gen][type]`).
    /// - Complexity: O(1).
    @inlinable public func pages(seq: UInt64, _ type: PageType) -> Int { listPages[Self.genList(seq, type)] }

    /// Pages of `type` in the active (two youngest) or the inactive generations.
    /// - Complexity: O(MAX_NR_GENS).
    public func pages(_ type: PageType, active: Bool) -> Int {
        var n = 0, s = minSeq(type)
        while s <= maxSeq {
            if isActive(seq: s) == active { n += pages(seq: s, type) }
            s &+= 1
        }
        return n
    }

    /// The oldest frame of generation `seq` of `type`, or -1.
    /// - Complexity: O(1).
    @inlinable public func tail(seq: UInt64, _ type: PageType) -> Int32 { lists[Self.genList(seq, type)].tail }

    /// `lru_gen_add_folio`'s list part: `frame`, on no list, joins generation `seq` (within the
    /// window) of `type`, at the head, or at the tail when `atTail` (the reclaim path).
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func add(_ frame: Int32, generation seq: UInt64, type: PageType, atTail: Bool = false, order: UInt8 = 0) {
        precondition(seq >= minSeq(type) && seq <= maxSeq, "generation \(seq) outside [\(minSeq(type)), \(maxSeq)]")
        link(frame, on: Self.genList(seq, type), order: order, atTail: atTail)
    }

    /// `frame` moves to the head (or tail) of generation `seq` of its type: a promotion
    /// (`folio_update_gen`) or `folio_inc_gen`.
    /// - Complexity: O(1).
    @inlinable
    public mutating func move(_ frame: Int32, toGeneration seq: UInt64, atTail: Bool = false) {
        guard let (_, type) = generation(of: frame) else { return }
        let order = nodes[Int(frame)].order
        remove(frame)
        add(frame, generation: seq, type: type, atTail: atTail, order: order)
    }

    /// `inc_max_seq`'s last step: a new youngest generation. The caller first makes room (no type
    /// may hold `MAX_NR_GENS` generations: see `incMinSeq`).
    /// - Complexity: O(1).
    @inlinable
    public mutating func incMaxSeq() {
        precondition(generations(.anon) < Self.maxGenerations && generations(.file) < Self.maxGenerations)
        maxSeqStorage &+= 1
    }

    /// `inc_min_seq`: the oldest generation of `type` is retired. With `moving`, its frames first
    /// go to the tail of the next generation (`folio_inc_gen`, `list_move_tail`); without it (a
    /// type reclaim may not take) they stay in the slot, which becomes the youngest next. Returns
    /// the frames moved.
    /// - Complexity: O(frames moved).
    @discardableResult
    public mutating func incMinSeq(_ type: PageType, moving: Bool) -> [Int32] {
        precondition(generations(type) > Self.minGenerations)
        let old = minSeq(type)
        var moved: [Int32] = []
        if moving {
            while true {
                let f = tail(seq: old, type)
                guard f >= 0 else { break }
                let order = nodes[Int(f)].order
                remove(f)
                add(f, generation: old &+ 1, type: type, atTail: true, order: order)
                moved.append(f)
            }
        }
        setMinSeq(type, old &+ 1)
        return moved
    }

    /// Sets `min_seq[type]` (`try_to_inc_min_seq` moves it over empty generations).
    /// - Complexity: O(1).
    public mutating func setMinSeq(_ type: PageType, _ seq: UInt64) {
        precondition(seq >= minSeq(type) && seq &+ UInt64(Self.minGenerations) <= maxSeq &+ 1)
        if type == .anon { minSeqs.0 = seq } else { minSeqs.1 = seq }
    }

    /// Frames in generation `seq` of `type`, head (newest) first.
    /// - Complexity: O(generation size).
    public func frames(seq: UInt64, _ type: PageType) -> [Int32] { frames(onList: Self.genList(seq, type)) }
}

extension LRUVector: InvariantChecking {
    /// Every list well linked, each frame's recorded list the one it is linked on, the page counts
    /// the sum of the frames' pages, and each type's generations between MIN_NR_GENS and
    /// MAX_NR_GENS, no frame outside the window.
    /// - Complexity: O(frames).
    public func checkInvariants() -> [String] {
        var v = Violations()
        var onLists = 0
        var totals = [Int](repeating: 0, count: Self.listsPerGroup)
        for slot in 0..<lists.count {
            let l = slot % Self.listsPerGroup, g = slot / Self.listsPerGroup
            let name = (l < Self.classicLists ? "\(List(rawValue: l)!)" : "generation slot \((l - Self.classicLists) >> 1) \(PageType(rawValue: (l - Self.classicLists) & 1)!)")
                + (g == 0 ? "" : " of group \(g)")
            var pages = 0
            if let problem = nodes.linkProblem(lists[slot], visit: { n in
                pages += 1 << Int(nodes[Int(n)].order)
                if nodes[Int(n)].group != UInt16(g) { return "frame \(n) is linked on \(name) but belongs to group \(nodes[Int(n)].group)" }
                return nodes[Int(n)].list == Int8(l) ? nil : "frame \(n) is linked on \(name) but records list \(nodes[Int(n)].list)"
            }) { v.report("LRU list \(name): \(problem)") }
            v.check(pages == listPages[slot], "LRU list \(name) counts \(listPages[slot]) pages but holds \(pages)")
            totals[l] += pages
            onLists += lists[slot].count
        }
        v.check(Array(totalListPages) == totals, "the lists' page totals \(Array(totalListPages)) are not the sums over groups \(totals)")
        let recorded = nodes.reduce(0) { $0 + ($1.list >= 0 ? 1 : 0) }
        v.check(recorded == onLists, "\(recorded) frames record a list, but the lists hold \(onLists)")
        for type in PageType.allCases {
            let n = generations(type)
            v.check(n >= Self.minGenerations && n <= Self.maxGenerations, "\(type) has \(n) generations (min_seq \(minSeq(type)), max_seq \(maxSeq))")
            // Slots outside the window must be empty.
            if n < Self.maxGenerations {
                for s in (maxSeq &+ 1)..<(maxSeq &+ 1 &+ UInt64(Self.maxGenerations - n)) where count(seq: s, type) > 0 {
                    v.report("\(type) generation slot \(s % UInt64(Self.maxGenerations)) is outside the window but holds \(count(seq: s, type)) frames")
                }
            }
        }
        return v.all
    }
}
