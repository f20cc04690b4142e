/// `malloc.py` (vm-freespace): a free-list allocator over a pretend heap, driven by random
/// alloc/free operations (`-n`, `-r`, `-P`) or by a list (`-A +10,-0,...`).
///
/// Semantics (the script's): a request is rounded up to the alignment (`-a`), then grows by the
/// header size (`-H`). The search walks the whole free list (FIRST stops at the first fit) counting
/// the elements it looks at; BEST takes the first smallest fit, WORST the first largest. A larger
/// block is split, the allocation taking its front. A freed block goes back per the list order:
/// appended (INSERT-BACK), prepended (INSERT-FRONT) or appended and the list stable-sorted by address
/// (ADDRSORT), by size (SIZESORT+) or by size descending (SIZESORT-). With `-C` the list is then
/// coalesced in list order: an element that starts where the previous one ends merges into it.
///
/// Quirks reproduced: in random mode the returned address printed includes the header size (even
/// -1 + header for a failed allocation) and "List? " has a trailing space; in list mode neither;
/// a free of a never-allocated index at or above the number of successful allocations prints
/// "Invalid Free: Skipping" and nothing else; freeing twice returns -1.
/// Differences (where the script dies with a traceback; VMSim prints a sentence and exits 1):
/// a bad policy, list order or alignment (`AssertionError`), `-P 0` or less (`AssertionError`), two
/// live allocations at one address, as zero-size ones give (`AssertionError`), an operation that is
/// not `+N` or `-N` (`NameError`, the script's `abort` is undefined), a free of a failed allocation
/// below that count (`KeyError`), and a size that is not an integer (`ValueError`).
enum MallocScript {
    static let options: [OptionParser.Option] = [
        .int("-s", "--seed", "seed", 0, "the random seed"),
        .int("-S", "--size", "heapSize", 100, "size of the heap"),
        .int("-b", "--baseAddr", "baseAddr", 1000, "base address of heap"),
        .int("-H", "--headerSize", "headerSize", 0, "size of the header"),
        .int("-a", "--alignment", "alignment", -1, "align allocated units to size; -1->no align"),
        .string("-p", "--policy", "policy", "BEST", "list search (BEST, WORST, FIRST)"),
        .string("-l", "--listOrder", "order", "ADDRSORT",
                "list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)"),
        .flag("-C", "--coalesce", "coalesce", "coalesce the free list?"),
        .int("-n", "--numOps", "opsNum", 10, "number of random ops to generate"),
        .int("-r", "--range", "opsRange", 10, "max alloc size"),
        .int("-P", "--percentAlloc", "opsPAlloc", 50, "percent of ops that are allocs"),
        .string("-A", "--allocList", "opsList", "", "instead of random, list of ops (+10,-0,etc)"),
        .flag("-c", "--compute", "solve", "compute answers for me"),
    ]

    enum Fit: String { case first = "FIRST", best = "BEST", worst = "WORST" }
    enum Order: String {
        case addrSort = "ADDRSORT", sizeSortUp = "SIZESORT+", sizeSortDown = "SIZESORT-"
        case insertFront = "INSERT-FRONT", insertBack = "INSERT-BACK"
    }

    struct Block { var addr: Int; var size: Int }

    /// `a - b`, or the end of the run where the difference leaves 64 bits.
    static func checkedSubtract(_ a: Int, _ b: Int) throws(ScriptExit) -> Int {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        guard !overflow else { throw ScriptValues.outOfRange("\(a) - \(b)", "the heap arithmetic") }
        return difference
    }

    /// `a + b`, or the end of the run where the sum leaves 64 bits (Python would go on with a big int).
    static func checkedAdd(_ a: Int, _ b: Int) throws(ScriptExit) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw ScriptValues.outOfRange("\(a) + \(b)", "the heap arithmetic") }
        return sum
    }

    /// The script's `malloc` class.
    struct Heap {
        let size: Int
        let headerSize: Int
        let fit: Fit
        let order: Order
        let coalesce: Bool
        let align: Int
        var freeList: [Block]
        var sizeMap: [Int: Int] = [:]

        /// Allocates `request` bytes: the address (or -1) and the number of elements searched.
        /// - Complexity: O(free list length).
        mutating func malloc(_ request: Int) throws(ScriptExit) -> (addr: Int, searched: Int) {
            var size = request
            if align != -1 {
                let left = floorModulo(size, align)
                size = try MallocScript.checkedAdd(size, left != 0 ? align - left : 0)
            }
            size = try MallocScript.checkedAdd(size, headerSize)
            var bestIndex = -1
            var bestSize = fit == .best ? self.size + 1 : -1
            var bestAddr = 0
            var count = 0
            for (i, e) in freeList.enumerated() {
                count += 1
                let better: Bool
                switch fit {
                case .best: better = e.size < bestSize
                case .worst: better = e.size > bestSize
                case .first: better = true
                }
                if e.size >= size && better {
                    bestAddr = e.addr
                    bestSize = e.size
                    bestIndex = i
                    if fit == .first { break }
                }
            }
            guard bestIndex != -1 else { return (-1, count) }
            if bestSize > size {
                freeList[bestIndex] = Block(addr: try MallocScript.checkedAdd(bestAddr, size),
                                            size: try MallocScript.checkedSubtract(bestSize, size))
            } else {
                freeList.remove(at: bestIndex)
            }
            guard sizeMap[bestAddr] == nil else {
                throw .crash("a second live allocation at address \(bestAddr) (zero-size allocations share one)",
                             exception: "AssertionError")
            }
            sizeMap[bestAddr] = size
            return (bestAddr, count)
        }

        /// Frees the block at `addr`: 0, or -1 when no live allocation starts there.
        /// - Complexity: O(n log n) for the sorted orders, O(n) otherwise (n the free list length).
        mutating func free(_ addr: Int) throws(ScriptExit) -> Int {
            guard let size = sizeMap[addr] else { return -1 }
            let block = Block(addr: addr, size: size)
            switch order {
            case .insertBack: freeList.append(block)
            case .insertFront: freeList.insert(block, at: 0)
            case .addrSort: freeList.append(block); stableSort { $0.addr < $1.addr }
            case .sizeSortUp: freeList.append(block); stableSort { $0.size < $1.size }
            case .sizeSortDown: freeList.append(block); stableSort { $0.size > $1.size }
            }
            if coalesce {
                var merged: [Block] = []
                merged.reserveCapacity(freeList.count)
                var current = freeList[0]
                for e in freeList.dropFirst() {
                    let (end, overflow) = current.addr.addingReportingOverflow(current.size)
                    if !overflow && e.addr == end {
                        current.size = try MallocScript.checkedAdd(current.size, e.size)
                    } else {
                        merged.append(current)
                        current = e
                    }
                }
                merged.append(current)
                freeList = merged
            }
            sizeMap[addr] = nil
            return 0
        }

        /// Python's `sorted(key=...)`: equal keys keep their order (also with `reverse=True`).
        mutating func stableSort(_ before: (Block, Block) -> Bool) {
            var indexed = Array(freeList.enumerated())
            indexed.sort { a, b in
                before(a.element, b.element) || (!before(b.element, a.element) && a.offset < b.offset)
            }
            freeList = indexed.map(\.element)
        }

        func dump(_ out: ScriptOutput) {
            out.write("Free List [ Size "); out.int(freeList.count); out.write(" ]: ")
            for e in freeList {
                out.write("[ addr:"); out.int(e.addr); out.write(" sz:"); out.int(e.size); out.write(" ]")
            }
            out.newline()
        }
    }

    /// - Complexity: O(operations × free list length), plus the sorts of the sorted list orders.
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        let heapSize = try ScriptValues.bounded(o.int("heapSize"), "heap size")
        let baseAddr = try ScriptValues.bounded(o.int("baseAddr"), "base address")
        let headerSize = try ScriptValues.bounded(o.int("headerSize"), "header size")
        let alignment = try ScriptValues.bounded(o.int("alignment"), "alignment")
        guard let fit = Fit(rawValue: o.string("policy")) else {
            throw .crash("policy \(PythonText.repr(o.string("policy"))) is not BEST, WORST or FIRST",
                         exception: "AssertionError")
        }
        guard let order = Order(rawValue: o.string("order")) else {
            throw .crash("list order \(PythonText.repr(o.string("order"))) is not ADDRSORT, SIZESORT+, "
                         + "SIZESORT-, INSERT-FRONT or INSERT-BACK", exception: "AssertionError")
        }
        guard alignment == -1 || alignment > 0 else {
            throw .crash("alignment \(alignment) is neither -1 nor positive", exception: "AssertionError")
        }
        let solve = o.bool("solve")
        let coalesce = o.bool("coalesce")
        let opsList = o.string("opsList")
        var heap = Heap(size: heapSize, headerSize: headerSize, fit: fit, order: order, coalesce: coalesce,
                        align: alignment, freeList: [Block(addr: baseAddr, size: heapSize)])

        let seed = o.int("seed")
        out.line(text: "seed " + (try ScriptValues.str(seed)))
        out.line(text: "size " + (try ScriptValues.str(o.int("heapSize"))))
        out.line(text: "baseAddr " + (try ScriptValues.str(o.int("baseAddr"))))
        out.line(text: "headerSize " + (try ScriptValues.str(o.int("headerSize"))))
        out.line(text: "alignment " + (try ScriptValues.str(o.int("alignment"))))
        out.line(text: "policy " + o.string("policy"))
        out.line(text: "listOrder " + o.string("order"))
        out.line(text: "coalesce " + (coalesce ? "True" : "False"))
        out.line(text: "numOps " + (try ScriptValues.str(o.int("opsNum"))))
        out.line(text: "range " + (try ScriptValues.str(o.int("opsRange"))))
        out.line(text: "percentAlloc " + (try ScriptValues.str(o.int("opsPAlloc"))))
        out.line(text: "allocList " + opsList)
        out.line(text: "compute " + (solve ? "True" : "False"))
        out.newline()

        let percent = Double(try ScriptValues.bounded(o.int("opsPAlloc"), "percentAlloc")) / 100.0
        var rng = PythonRandom(seed: seed)
        guard percent > 0 else {
            throw .crash("percentAlloc must be above 0", exception: "AssertionError")
        }

        if opsList.isEmpty {
            let opsNum = ScriptValues.count(o.int("opsNum"))
            let opsRange = Double(try ScriptValues.bounded(o.int("opsRange"), "range"))
            var pointers: [Int] = []      // p: the address of each allocation, by number
            var live: [Int] = []          // L: the numbers of live allocations, in allocation order
            var c = 0
            var j = 0
            while j < opsNum {
                var printed = false
                if rng.random() < percent {
                    let size = ScriptValues.trunc(rng.random() * opsRange) + 1
                    let (ptr, searched) = try heap.malloc(size)
                    pointers.append(ptr)
                    if ptr != -1 { live.append(c) }
                    out.write("ptr["); out.int(c); out.write("] = Alloc("); out.int(size); out.write(")")
                    if solve {
                        out.write(" returned "); out.int(try MallocScript.checkedAdd(ptr, headerSize))
                        out.write(" (searched "); out.int(searched); out.line(" elements)")
                    } else {
                        out.line(" returned ?")
                    }
                    c += 1
                    j += 1
                    printed = true
                } else if !live.isEmpty {
                    let d = ScriptValues.trunc(rng.random() * Double(live.count))
                    let rc = try heap.free(pointers[live[d]])
                    out.write("Free(ptr["); out.int(live[d]); out.line("])")
                    if solve {
                        out.write("returned "); out.int(rc); out.newline()
                    } else {
                        out.line("returned ?")
                    }
                    live.remove(at: d)
                    printed = true
                    j += 1
                }
                if printed {
                    if solve { heap.dump(out) } else { out.line("List? ") }
                    out.newline()
                }
            }
            return
        }

        var pointers: [Int?] = []   // p: the address of each successful allocation, by number
        var successes = 0           // len(p)
        for op in pySplit(opsList, ",") {
            guard let first = op.unicodeScalars.first else {
                throw .crash("an empty operation in the -A list", exception: "IndexError")
            }
            if first == "+" {
                let size = try ScriptValues.int(pySplit(op, "+")[1], "allocation size")
                let (ptr, searched) = try heap.malloc(size)
                pointers.append(ptr != -1 ? ptr : nil)
                if ptr != -1 { successes += 1 }
                out.write("ptr["); out.int(pointers.count - 1); out.write("] = Alloc("); out.int(size); out.write(")")
                if solve {
                    out.write(" returned "); out.int(ptr)
                    out.write(" (searched "); out.int(searched); out.line(" elements)")
                } else {
                    out.line(" returned ?")
                }
            } else if first == "-" {
                let index = try ScriptValues.int(pySplit(op, "-")[1], "free index")
                if index >= successes {
                    out.line("Invalid Free: Skipping")
                    continue
                }
                out.write("Free(ptr["); out.int(index); out.line("])")
                guard index >= 0, index < pointers.count, let addr = pointers[index] else {
                    throw .crash("ptr[\(index)] was never allocated", exception: "KeyError")
                }
                let rc = try heap.free(addr)
                if solve {
                    out.write("returned "); out.int(rc); out.newline()
                } else {
                    out.line("returned ?")
                }
            } else {
                throw .crash("operation \(PythonText.repr(op)) is neither +SIZE nor -INDEX", exception: "NameError")
            }
            if solve { heap.dump(out) } else { out.line("List?") }
            out.newline()
        }
    }
}
