/// Linux's `struct lruvec` for the classic two-list reclaim: the LRU lists of `enum lru_list`
/// (inactive and active anon, inactive and active file, unevictable), threaded by frame number
/// through one flat array, head the newest end and tail the oldest (the end reclaim scans).
///
/// One implementation serves the trace policy `linux-2list` (`Linux2ListPolicy`, whose frames
/// are its slots) and the kernel of `vmsim run` (whose frames are page frame numbers), so the
/// oracle tests of the trace policy guard the kernel's lists too. What a frame holds and why it
/// moves is the owner's business; the vector only keeps the lists.
///
///     var lru = LRUVector(frames: 8)
///     lru.add(3, to: .inactiveAnon)          // lruvec_add_folio: to the head
///     lru.add(5, to: .inactiveAnon)          // 5 3
///     lru.move(3, to: .activeAnon)           // folio_activate
///     lru.tail(.inactiveAnon)                // 5
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

    @usableFromInline struct Node: IndexLinked, Sendable {
        @usableFromInline var prev: Int32
        @usableFromInline var next: Int32
        /// The list the frame is on, or -1.
        @usableFromInline var list: Int8
        @inlinable init() { prev = -1; next = -1; list = -1 }
    }

    @usableFromInline var nodes: ContiguousArray<Node>
    @usableFromInline var lists: ContiguousArray<IndexList>

    /// Empty lists with room for `frames` frames to start with (more are added as frames are used,
    /// up to 65,536 upfront).
    /// - Complexity: O(min(frames, 2^16)).
    public init(frames: Int) {
        nodes = ContiguousArray(repeating: Node(), count: Swift.max(1, Swift.min(frames, 1 << 16)))
        lists = ContiguousArray(repeating: IndexList(), count: List.allCases.count)
    }

    /// The list `frame` is on, or nil.
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

    /// Pages on `list` (`lruvec_page_state(lruvec, NR_LRU_BASE + lru)`).
    /// - Complexity: O(1).
    @inlinable public func count(_ list: List) -> Int { lists[list.rawValue].count }

    /// The oldest frame of `list`, or -1.
    /// - Complexity: O(1).
    @inlinable public func tail(_ list: List) -> Int32 { lists[list.rawValue].tail }
    /// The newest frame of `list`, or -1.
    /// - Complexity: O(1).
    @inlinable public func head(_ list: List) -> Int32 { lists[list.rawValue].head }
    /// The frame after `frame` towards the head of its list (newer), or -1.
    /// - Complexity: O(1).
    @inlinable public func newer(than frame: Int32) -> Int32 { nodes[Int(frame)].prev }

    /// `lruvec_add_folio` (to the head) or `lruvec_add_folio_tail`: `frame`, on no list, joins `list`.
    /// - Complexity: O(1) amortized.
    @inlinable
    public mutating func add(_ frame: Int32, to list: List, atTail: Bool = false) {
        if Int(frame) >= nodes.count {
            nodes.append(contentsOf: repeatElement(Node(), count: Swift.max(Int(frame) + 1, nodes.count * 2) - nodes.count))
        }
        nodes[Int(frame)].list = Int8(list.rawValue)
        if atTail { nodes.pushTail(frame, &lists[list.rawValue]) } else { nodes.pushHead(frame, &lists[list.rawValue]) }
    }

    /// `lruvec_del_folio`: `frame` leaves its list (nothing happens when it is on none).
    /// - Complexity: O(1).
    @inlinable
    public mutating func remove(_ frame: Int32) {
        guard Int(frame) < nodes.count else { return }
        let l = Int(nodes[Int(frame)].list)
        guard l >= 0 else { return }
        nodes.remove(frame, &lists[l])
        nodes[Int(frame)].list = -1
    }

    /// `frame` goes to the head of `list` (from whichever list it was on, or none).
    /// - Complexity: O(1).
    @inlinable
    public mutating func move(_ frame: Int32, to list: List) {
        remove(frame)
        add(frame, to: list)
    }

    /// Frames on `list`, head (newest) first.
    /// - Complexity: O(list length).
    public func frames(on list: List) -> [Int32] {
        var out: [Int32] = [], n = lists[list.rawValue].head
        while n >= 0 { out.append(n); n = nodes[Int(n)].next }
        return out
    }
}

extension LRUVector: InvariantChecking {
    /// Every list well linked, and each frame's recorded list the one it is linked on.
    /// - Complexity: O(frames).
    public func checkInvariants() -> [String] {
        var v = Violations()
        var onLists = 0
        for l in List.allCases {
            if let problem = nodes.linkProblem(lists[l.rawValue], visit: { n in
                nodes[Int(n)].list == Int8(l.rawValue) ? nil : "frame \(n) is linked on \(l) but records list \(nodes[Int(n)].list)"
            }) { v.report("LRU list \(l): \(problem)") }
            onLists += lists[l.rawValue].count
        }
        let recorded = nodes.reduce(0) { $0 + ($1.list >= 0 ? 1 : 0) }
        v.check(recorded == onLists, "\(recorded) frames record a list, but the lists hold \(onLists)")
        return v.all
    }
}
