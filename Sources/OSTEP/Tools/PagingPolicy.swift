import VMSim

/// `paging-policy.py` (vm-beyondphys-policy): page replacement over a reference string (drawn,
/// given with `-a`, or read from a file with `-f`), with a trace of memory after each reference.
///
/// Memory is a list: a miss appends the page at the right end, and a full memory first removes a
/// victim. The policies, as the script defines them:
/// - FIFO: the leftmost page (the first in). LRU: the leftmost, with a hit moving the page to the
///   right end. MRU: the rightmost, with the same move on a hit.
/// - OPT: the page referenced furthest in the future; among pages never referenced again, the
///   rightmost (the script's `>=`), where VMSim's own OPT takes the earliest loaded.
/// - UNOPT: the page referenced soonest; among pages never referenced again, the leftmost.
/// - RAND: the page at `int(random() * cachesize)`, continuing the script's random stream.
/// - CLOCK: not a clock hand: pages are probed at random positions; a probed page with a
///   reference count of 1 or more loses one and survives, the first at 0 is the victim. A page
///   enters with count 1 whatever `-b`, and each hit adds 1 up to `-b` (`--clockbits`).
///
/// With `-N` (`--notrace`) FIFO, LRU, MRU and OPT run on VMSim's own policies (`FIFOPolicy`,
/// `LRUPolicy`, `MRUPolicy`, `OPTPolicy`), whose hit and miss counts equal the script's (OPT's
/// tie-break among never-again pages changes the victim, never the count).
///
/// Quirks reproduced: the `ARG` lines echo the options as typed; `-n`, `-C`, `-s` and `-m` are read
/// with `int()` only after they are echoed, and `-a` items one by one as they are reached (OPT and
/// UNOPT also read ahead while searching the future), so a bad one ends the run at the same place;
/// a page numbered -1 that is evicted is shown as `Replaced:-`; a cache of 0 pages fails at the
/// first miss (the script's `IndexError`); a negative cache size never fills; an unknown policy is
/// reported on standard output with status 1 only with `-c`.
/// Differences (where the script dies with a traceback; VMSim prints a sentence and exits 1): bad
/// integers, an unreadable `-f` file, a cache of 0 pages, and an empty reference string with `-c`
/// (`ZeroDivisionError` in the hit rate).
enum PagingPolicyScript {
    static let options: [OptionParser.Option] = [
        .string("-a", "--addresses", "addresses", "-1",
                "a set of comma-separated pages to access; -1 means randomly generate"),
        .string("-f", "--addressfile", "addressfile", "", "a file with a bunch of addresses in it"),
        .string("-n", "--numaddrs", "numaddrs", "10",
                "if -a (--addresses) is -1, this is the number of addrs to generate"),
        .string("-p", "--policy", "policy", "FIFO", "replacement policy: FIFO, LRU, OPT, UNOPT, RAND, CLOCK"),
        .int("-b", "--clockbits", "clockbits", 2, "for CLOCK policy, how many clock bits to use"),
        .string("-C", "--cachesize", "cachesize", "3", "size of the page cache, in pages"),
        .string("-m", "--maxpage", "maxpage", "10",
                "if randomly generating page accesses, this is the max page number"),
        .string("-s", "--seed", "seed", "0", "random number seed"),
        .flag("-N", "--notrace", "notrace", "do not print out a detailed trace"),
        .flag("-c", "--compute", "solve", "compute answers for me"),
    ]

    enum Policy: String {
        case fifo = "FIFO", lru = "LRU", mru = "MRU", opt = "OPT", unopt = "UNOPT", rand = "RAND", clock = "CLOCK"

        var sides: (left: String, right: String) {
            switch self {
            case .fifo: ("FirstIn", "Lastin ")
            case .lru, .mru: ("LRU", "MRU")
            case .opt, .rand, .unopt, .clock: ("Left ", "Right")
            }
        }
    }

    /// The reference string: the pages that read as integers, and where the first one that does
    /// not (a `-a` item) stands, with the reason.
    struct References {
        var pages: [Int]
        /// The index of the first item `int()` rejects; every page before it is in `pages`.
        var firstBad: (index: Int, error: ScriptExit)?
        /// `len(addrList)`.
        var count: Int { firstBad.map { _ in pages.count + 1 } ?? pages.count }
    }

    /// - Complexity: O(n) to draw or read n references; the run is O(n × c) with the trace (each line
    ///   prints memory, c pages), and without it O(n) for FIFO, LRU and MRU, O(n log c) for OPT, and
    ///   O(n + misses × c) for UNOPT, RAND and CLOCK.
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        let addresses = o.string("addresses")
        let addressFile = o.string("addressfile")
        let policyName = o.string("policy")
        let notrace = o.bool("notrace")
        out.line(text: "ARG addresses " + addresses)
        out.line(text: "ARG addressfile " + addressFile)
        out.line(text: "ARG numaddrs " + o.string("numaddrs"))
        out.line(text: "ARG policy " + policyName)
        out.line(text: "ARG clockbits " + (try ScriptValues.str(o.int("clockbits"))))
        out.line(text: "ARG cachesize " + o.string("cachesize"))
        out.line(text: "ARG maxpage " + o.string("maxpage"))
        out.line(text: "ARG seed " + o.string("seed"))
        out.line(text: "ARG notrace " + (notrace ? "True" : "False"))
        out.newline()

        let numaddrs = try ScriptValues.int(o.string("numaddrs"), "numaddrs")
        let cachesize = try ScriptValues.int(o.string("cachesize"), "cachesize")
        let seed = try ScriptValues.seed(o.string("seed"))
        let maxpage = try ScriptValues.int(o.string("maxpage"), "maxpage")
        let clockbits = try ScriptValues.bounded(o.int("clockbits"), "clockbits")
        var rng = PythonRandom(seed: seed)

        // With -c -N and drawn references, FIFO, LRU and MRU need no list of them: the engine takes
        // them as they are drawn (nothing else draws in between), saving the memory and its faults.
        let streamed = o.bool("solve") && notrace && addressFile.isEmpty && addresses == "-1" && cachesize > 0
            && numaddrs > 0 && [.fifo, .lru, .mru].contains(Policy(rawValue: policyName))
        var refs = References(pages: [], firstBad: nil)
        if streamed {
            // Drawn below.
        } else if !addressFile.isEmpty {
            refs.pages = try readAddressFile(addressFile, ctx.host)
        } else if addresses == "-1" {
            refs.pages.reserveCapacity(max(0, min(numaddrs, 1 << 26)))
            let scale = Double(maxpage)
            for _ in 0..<max(0, numaddrs) { refs.pages.append(ScriptValues.trunc(scale * rng.random())) }
        } else {
            for (i, item) in pySplit(addresses, ",").enumerated() {
                do throws(ScriptExit) {
                    refs.pages.append(try ScriptValues.int(item, "page"))
                } catch {
                    refs.firstBad = (i, error)
                    break
                }
            }
        }

        if !o.bool("solve") {
            out.text("Assuming a replacement policy of " + policyName + ", and a cache of size ")
            out.int(cachesize); out.line(" pages,")
            out.line("figure out whether each of the following page references hit or miss")
            out.line("in the page cache.")
            out.newline()
            for n in refs.pages {
                out.write("Access: "); out.int(n); out.line("  Hit/Miss?  State of Memory?")
            }
            if let bad = refs.firstBad { throw bad.error }
            out.newline()
            return
        }

        if !notrace {
            out.line("Solving...")
            out.newline()
        }
        guard let policy = Policy(rawValue: policyName) else {
            out.line(text: "Policy \(policyName) is not yet implemented")
            throw .exit(1)
        }

        let counts: (hits: Int, misses: Int)
        if streamed {
            let scale = Double(maxpage)
            counts = engineCounts(policy, count: numaddrs, frames: min(cachesize, numaddrs), nextUse: []) { _ in
                ScriptValues.trunc(scale * rng.random())
            }!
        } else if notrace, refs.firstBad == nil, cachesize > 0, !refs.pages.isEmpty,
                  let c = engineCounts(policy, count: refs.pages.count, frames: min(cachesize, refs.pages.count),
                                       nextUse: policy == .opt ? nextUses(refs.pages, limit: refs.pages.count) : [],
                                       page: { refs.pages[$0] }) {
            counts = c
        } else {
            counts = try simulate(policy, refs, cachesize: cachesize, clockbits: clockbits,
                                  trace: !notrace, rng: &rng, out: out)
        }
        out.newline()
        let total = Double(counts.hits) + Double(counts.misses)
        guard total > 0 else {
            throw .crash("no page references, so no hit rate", exception: "ZeroDivisionError")
        }
        out.write("FINALSTATS hits "); out.int(counts.hits)
        out.write("   misses "); out.int(counts.misses)
        out.write("   hitrate "); out.text(pyFixed(100.0 * Double(counts.hits) / total, precision: 2))
        out.newline()
        out.newline()
    }

    /// `-f FILE`: one page a line, each read with `int()` (surrounding white space allowed); the file
    /// is text (UTF-8) with universal newlines, as Python's `open()` reads it.
    static func readAddressFile(_ path: String, _ host: ScriptHost) throws(ScriptExit) -> [Int] {
        let bytes: [UInt8]
        switch host.readFile(path) {
        case .success(let b): bytes = b
        case .failure(let e):
            throw .crash("cannot open \(PythonText.repr(path)): \(e.reason)", exception: "OSError")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .crash("\(path) is not UTF-8 text", exception: "UnicodeDecodeError")
        }
        var pages: [Int] = []
        var line: [Unicode.Scalar] = []
        var scalars = text.unicodeScalars.makeIterator()
        var pendingCR = false
        func finishLine() throws(ScriptExit) {
            pages.append(try ScriptValues.int(String(String.UnicodeScalarView(line)), "\(path): page"))
            line.removeAll(keepingCapacity: true)
        }
        while let s = scalars.next() {
            if pendingCR {
                pendingCR = false
                if s == "\n" { continue }
            }
            if s == "\n" {
                try finishLine()
            } else if s == "\r" {
                try finishLine()
                pendingCR = true
            } else {
                line.append(s)
            }
        }
        if !line.isEmpty { try finishLine() }
        return pages
    }

    /// Hit and miss counts from VMSim's policies, for the policies whose counts equal the script's
    /// (`nil` for the others): `count` references, `page(i)` called once for each i in order, with
    /// each reference's next use for OPT.
    static func engineCounts(_ policy: Policy, count: Int, frames: Int, nextUse next: [Int],
                             page: (Int) -> Int) -> (hits: Int, misses: Int)? {
        func run<P: ReplacementPolicy>(_ p: P) -> (hits: Int, misses: Int)? {
            // The references go to the engine in batches through one reused buffer.
            var sim = PagingSimulation(policy: p)
            var batch: [PageAccess] = []
            batch.reserveCapacity(4096)
            var start = 0
            while start < count {
                let end = min(start + 4096, count)
                batch.removeAll(keepingCapacity: true)
                for i in start..<end {
                    let nextUse = next.isEmpty ? PageAccess.unknown
                        : next[i] == count ? PageAccess.never : Int64(next[i])
                    batch.append(PageAccess(page: UInt64(bitPattern: Int64(page(i))), nextUse: nextUse))
                }
                // OPT is given its next uses; without them the engine refuses, and so does this path.
                do { try batch.withUnsafeBufferPointer { b throws(MissingNextUse) in try sim.run(b) } } catch { return nil }
                start = end
            }
            return (Int(sim.stats.hits), Int(sim.stats.misses))
        }
        switch policy {
        case .fifo: return run(FIFOPolicy(frames: frames))
        case .lru: return run(LRUPolicy(frames: frames))
        case .mru: return run(MRUPolicy(frames: frames))
        case .opt: return run(OPTPolicy(frames: frames))
        case .unopt, .rand, .clock: return nil
        }
    }

    /// For each reference, the index of the next reference to the same page, or `limit` if none.
    static func nextUses(_ pages: [Int], limit: Int) -> [Int] {
        var next = [Int](repeating: limit, count: pages.count)
        var last = PageMap<Int32>(expectedCount: 64)
        var i = pages.count - 1
        while i >= 0 {
            let key = UInt64(bitPattern: Int64(pages[i]))
            let seen = last.find(key)
            if seen != .max {
                next[i] = Int(seen)
                last.update(key, Int32(truncatingIfNeeded: i))
            } else {
                last.insert(key, Int32(truncatingIfNeeded: i))
            }
            i -= 1
        }
        return next
    }

    /// The script's loop, reference by reference, with its memory list.
    static func simulate(_ policy: Policy, _ refs: References, cachesize: Int, clockbits: Int, trace: Bool,
                         rng: inout PythonRandom, out: ScriptOutput) throws(ScriptExit) -> (hits: Int, misses: Int) {
        let pages = refs.pages
        let clairvoyant = policy == .opt || policy == .unopt
        let next = clairvoyant ? nextUses(pages, limit: pages.count) : []
        var memory: [Int] = []
        // Per resident page, parallel to memory: its next reference (OPT, UNOPT), its count (CLOCK).
        // A next reference of pages.count means none before the end of the list, or before its first
        // bad item, where the script's search of the future would fail.
        var memoryNext: [Int] = []
        var memoryRef: [Int] = []
        var resident = Set<Int>()
        let useSet = cachesize > 32 || cachesize < 0
        var count = 0
        var hits = 0
        var misses = 0
        let (leftStr, rightStr) = policy.sides
        let scratch = ScriptOutput()

        for (addrIndex, n) in pages.enumerated() {
            var idx = -1
            if !useSet || resident.contains(n) {
                idx = memory.firstIndex(of: n) ?? -1
            }
            if idx >= 0 {
                hits += 1
                switch policy {
                case .lru, .mru:
                    memory.remove(at: idx)
                    memory.append(n)
                case .opt, .unopt:
                    memoryNext[idx] = next[addrIndex]
                case .clock:
                    let bumped = memoryRef[idx] + 1
                    memoryRef[idx] = bumped > clockbits ? clockbits : bumped
                default:
                    break
                }
            } else {
                misses += 1
            }

            var victim = -1
            if idx == -1 {
                if count == cachesize {
                    var at = -1
                    switch policy {
                    case .fifo, .lru: at = 0
                    case .mru: at = count - 1
                    case .rand: at = ScriptValues.trunc(rng.random() * Double(count))
                    case .clock:
                        while true {
                            let probe = ScriptValues.trunc(rng.random() * Double(count))
                            guard probe < memory.count else { break }
                            if memoryRef[probe] >= 1 {
                                memoryRef[probe] -= 1
                            } else {
                                at = probe
                                break
                            }
                        }
                    case .opt, .unopt:
                        if let bad = refs.firstBad, memoryNext.contains(pages.count) {
                            // The search of the future reads the bad item before finding the page.
                            throw bad.error
                        }
                        at = policy == .opt ? furthest(memoryNext) : soonest(memoryNext)
                    }
                    guard at >= 0, at < memory.count else {
                        throw .crash("a cache of \(cachesize) pages has no page to replace", exception: "IndexError")
                    }
                    victim = memory.remove(at: at)
                    if clairvoyant { memoryNext.remove(at: at) }
                    if policy == .clock { memoryRef.remove(at: at) }
                    if useSet { resident.remove(victim) }
                } else {
                    count += 1
                }
                memory.append(n)
                if clairvoyant { memoryNext.append(next[addrIndex]) }
                if policy == .clock { memoryRef.append(1) }
                if useSet { resident.insert(n) }
            }

            if trace {
                out.write("Access: "); out.int(n); out.write(idx == -1 ? "  MISS " : "  HIT  ")
                out.text(leftStr); out.write(" -> ")
                scratch.reset()
                scratch.byte(0x5B)
                for (k, page) in memory.enumerated() {
                    if k > 0 { scratch.write(", ") }
                    scratch.int(page)
                }
                scratch.byte(0x5D)
                for _ in scratch.buffered.count..<max(12, scratch.buffered.count) { out.byte(0x20) }
                out.bytes(scratch.buffered)
                out.write(" <- "); out.text(rightStr); out.write(" Replaced:")
                if victim == -1 { out.write("-") } else { out.int(victim) }
                out.write(" [Hits:"); out.int(hits); out.write(" Misses:"); out.int(misses); out.line("]")
            }
        }
        if let bad = refs.firstBad { throw bad.error }
        return (hits, misses)
    }

    /// OPT's choice: the largest next reference, the last such page on ties (`>=`).
    static func furthest(_ next: [Int]) -> Int {
        var best = -1
        var bestValue = -1
        for (i, v) in next.enumerated() where v >= bestValue {
            best = i
            bestValue = v
        }
        return best
    }

    /// UNOPT's choice: the smallest next reference, the first such page on ties (`<`).
    static func soonest(_ next: [Int]) -> Int {
        var best = -1
        var bestValue = Int.max
        for (i, v) in next.enumerated() where v < bestValue {
            best = i
            bestValue = v
        }
        return best
    }
}
