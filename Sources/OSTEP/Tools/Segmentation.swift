/// `segmentation.py` (vm-segmentation): two segments, segment 0 growing up from its base and
/// segment 1 growing down from its base, selected by the top half of the address space.
///
/// Quirks reproduced: limits are drawn before bases, in the order len0, len1, base0, base1; a
/// segment-1 base given on the command line is the top of the segment (the script keeps
/// `base1 - len1` internally); the "length register too large" checks run only after the bases are
/// placed; `-A` addresses outside the address space stop the run with an `Error:` line and status 1;
/// int/float comparisons (`len0 > asize/2.0`) are exact, as in Python.
/// Difference: when no base can be placed (for example a limit of at least the physical memory
/// size with a random base), the script loops forever; VMSim says so and exits with status 1.
enum SegmentationScript {
    static let options: [OptionParser.Option] = [
        .int("-s", "--seed", "seed", 0, "the random seed"),
        .string("-A", "--addresses", "addresses", "-1",
                "a set of comma-separated pages to access; -1 means randomly generate"),
        .string("-a", "--asize", "asize", "1k", "address space size (e.g., 16, 64k, 32m, 1g)"),
        .string("-p", "--physmem", "psize", "16k", "physical memory size (e.g., 16, 64k, 32m, 1g)"),
        .int("-n", "--numaddrs", "num", 5, "number of virtual addresses to generate"),
        .string("-b", "--b0", "base0", "-1", "value of segment 0 base register"),
        .string("-l", "--l0", "len0", "-1", "value of segment 0 limit register"),
        .string("-B", "--b1", "base1", "-1", "value of segment 1 base register"),
        .string("-L", "--l1", "len1", "-1", "value of segment 1 limit register"),
        .flag("-c", nil, "solve", "compute answers for me"),
    ]

    static func abortIf(_ condition: Bool, _ message: String, _ out: ScriptOutput) throws(ScriptExit) {
        if condition {
            out.line(text: "Error: " + message)
            throw .exit(1)
        }
    }

    /// - Complexity: O(n), n the number of addresses (plus the expected base draws).
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        let seed = try ScriptValues.echoSeedAndSizes(o, out)
        out.newline()

        var rng = PythonRandom(seed: seed)
        let asize = try ScriptValues.size(o.string("asize"), "address space size")
        let psize = try ScriptValues.size(o.string("psize"), "physical memory size")
        let addresses = o.string("addresses")
        try abortIf(psize <= 4, "must specify a bigger physical memory size", out)
        try abortIf(asize == 0, "must specify a non-zero address-space size", out)
        try abortIf(psize <= asize, "physical memory size > address space size (for this simulation)", out)

        var len0 = try ScriptValues.size(o.string("len0"), "segment 0 limit")
        var len1 = try ScriptValues.size(o.string("len1"), "segment 1 limit")
        var base0 = try ScriptValues.size(o.string("base0"), "segment 0 base")
        var base1 = try ScriptValues.size(o.string("base1"), "segment 1 base")
        let quarter = Double(asize) / 4.0
        if len0 == -1 { len0 = ScriptValues.trunc(quarter + quarter * rng.random()) }
        if len1 == -1 { len1 = ScriptValues.trunc(quarter + quarter * rng.random()) }
        if base0 == -1 || base1 == -1 {
            try abortIf(psize <= 2 * asize, "physical memory must be 2x GREATER than address space size "
                        + "(if randomly generating base registers)", out)
        }
        if base0 == -1 {
            guard len0 < psize else {
                throw .crash("no segment 0 base puts a limit of \(len0) inside a physical memory of \(psize) bytes",
                             exception: ScriptExit.endlessLoop)
            }
            repeat {
                base0 = ScriptValues.trunc(Double(psize) * rng.random())
            } while !(base0 + len0 < psize)
        }
        if base1 == -1 {
            // A value b in 0..<psize with b + len1 < psize, above segment 0 or wholly below it.
            let high = min(psize - 1, psize - len1 - 1)
            let feasible = max(0, base0 + len0 + 1) <= high || 0 <= min(high, base0 - len1 - 1)
            guard feasible else {
                throw .crash("no segment 1 base of limit \(len1) fits in \(psize) bytes beside segment 0",
                             exception: ScriptExit.endlessLoop)
            }
            while true {
                base1 = ScriptValues.trunc(Double(psize) * rng.random())
                if base1 + len1 < psize && (base1 > base0 + len0 || base1 + len1 < base0) { break }
            }
        } else {
            base1 -= len1
        }
        try abortIf(psize < base0 + len0 - 1, "seg0 is not in physical memory", out)
        try abortIf(psize < base1, "seg1 is not in physical memory", out)
        try abortIf(PyCompare.greater(len0, Double(asize) / 2.0),
                    "length0 register is too large for this address space", out)
        try abortIf(PyCompare.greater(len1, Double(asize) / 2.0),
                    "length1 register is too large for this address space", out)

        out.line("Segment register information:")
        out.newline()
        out.write("  Segment 0 base  (grows positive) : 0x"); out.hex(base0, width: 8, zeroPad: true)
        out.write(" (decimal "); out.int(base0); out.line(")")
        out.write("  Segment 0 limit                  : "); out.int(len0); out.newline()
        out.newline()
        let top1 = base1 + len1
        out.write("  Segment 1 base  (grows negative) : 0x"); out.hex(top1, width: 8, zeroPad: true)
        out.write(" (decimal "); out.int(top1); out.line(")")
        out.write("  Segment 1 limit                  : "); out.int(len1); out.newline()
        out.newline()
        try abortIf(len0 + base0 > base1 && base1 > base0, "segments overlap in physical memory", out)

        // The addresses: the -A list (each read with int() when its turn comes), or drawn. The script
        // draws them all before printing the trace; no other draw comes between, so drawing each in
        // turn prints the same.
        let listed = addresses == "-1" ? nil : pySplit(addresses, ",")
        let total = listed?.count ?? ScriptValues.count(o.int("num"))
        out.line("Virtual Address Trace")
        let solve = o.bool("solve")
        let half = Double(asize) / 2.0
        var i = 0
        while i < total {
            defer { i += 1 }
            let vaddr: Int
            if let listed {
                vaddr = try ScriptValues.int(listed[i], "virtual address")
            } else {
                vaddr = ScriptValues.trunc(Double(asize) * rng.random())
            }
            if vaddr < 0 || vaddr >= asize {
                out.write("Error: virtual address "); out.int(vaddr)
                out.write(" cannot be generated in an address space of size "); out.int(asize); out.newline()
                throw .exit(1)
            }
            out.write("  VA "); out.int(i, width: 2); out.write(": 0x"); out.hex(vaddr, width: 8, zeroPad: true)
            out.write(" (decimal: "); out.int(vaddr, width: 4); out.write(") --> ")
            if !solve {
                out.line("PA or segmentation violation?")
            } else if PyCompare.greaterOrEqual(vaddr, half) {
                let paddr = top1 + (vaddr - asize)
                if paddr < base1 {
                    out.line("SEGMENTATION VIOLATION (SEG1)")
                } else {
                    out.write("VALID in SEG1: 0x"); out.hex(paddr, width: 8, zeroPad: true)
                    out.write(" (decimal: "); out.int(paddr, width: 4); out.line(")")
                }
            } else if vaddr >= len0 {
                out.line("SEGMENTATION VIOLATION (SEG0)")
            } else {
                let paddr = vaddr + base0
                out.write("VALID in SEG0: 0x"); out.hex(paddr, width: 8, zeroPad: true)
                out.write(" (decimal: "); out.int(paddr, width: 4); out.line(")")
            }
        }
        out.newline()
        if !solve {
            out.line("For each virtual address, either write down the physical address it translates to")
            out.line("OR write down that it is an out-of-bounds address (a segmentation violation). For")
            out.line("this problem, you should assume a simple address space with two segments: the top")
            out.line("bit of the virtual address can thus be used to check whether the virtual address")
            out.line("is in segment 0 (topbit=0) or segment 1 (topbit=1). Note that the base/limit pairs")
            out.line("given to you grow in different directions, depending on the segment, i.e., segment 0")
            out.line("grows in the positive direction, whereas segment 1 in the negative. ")
            out.newline()
        }
    }
}
