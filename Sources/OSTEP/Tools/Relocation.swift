/// `relocation.py` (vm-mechanism): base-and-bounds translation. A random base and limit (or those
/// given), then random virtual addresses in the address space, each either valid (physical address
/// = base + virtual) or a segmentation violation (at or beyond the limit).
///
/// Quirks reproduced: the output starts with a blank line; a limit given without a base is drawn
/// first; the base is drawn until base + limit < physical memory size; `base + limit > psize` is
/// only checked after the registers are printed.
/// Difference: when no base can satisfy that (limit >= physical memory), the script loops forever;
/// VMSim says so and exits with status 1.
enum RelocationScript {
    static let options: [OptionParser.Option] = [
        .int("-s", "--seed", "seed", 0, "the random seed"),
        .string("-a", "--asize", "asize", "1k", "address space size (e.g., 16, 64k, 32m, 1g)"),
        .string("-p", "--physmem", "psize", "16k", "physical memory size (e.g., 16, 64k, 32m, 1g)"),
        .int("-n", "--addresses", "num", 5, "number of virtual addresses to generate"),
        .string("-b", "--b", "base", "-1", "value of base register"),
        .string("-l", "--l", "limit", "-1", "value of limit register"),
        .flag("-c", "--compute", "solve", "compute answers for me"),
    ]

    /// - Complexity: O(n), n the number of addresses (plus the expected base draws).
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        out.newline()
        let seed = try ScriptValues.echoSeedAndSizes(o, out)
        out.newline()

        var rng = PythonRandom(seed: seed)
        let asize = try ScriptValues.size(o.string("asize"), "address space size")
        let psize = try ScriptValues.size(o.string("psize"), "physical memory size")
        if psize <= 1 {
            out.line("Error: must specify a non-zero physical memory size.")
            throw .exit(1)
        }
        if asize == 0 {
            out.line("Error: must specify a non-zero address-space size.")
            throw .exit(1)
        }
        if psize <= asize {
            out.line("Error: physical memory size must be GREATER than address space size (for this simulation)")
            throw .exit(1)
        }
        var limit = try ScriptValues.size(o.string("limit"), "limit")
        var base = try ScriptValues.size(o.string("base"), "base")
        if limit == -1 {
            limit = ScriptValues.trunc(Double(asize) / 4.0 + (Double(asize) / 4.0 * rng.random()))
        }
        if base == -1 {
            guard limit < psize else {
                throw .crash("no base register value puts a limit of \(limit) inside a physical memory of "
                             + "\(psize) bytes", exception: ScriptExit.endlessLoop)
            }
            repeat {
                base = ScriptValues.trunc(Double(psize) * rng.random())
            } while !(base + limit < psize)
        }
        out.line("Base-and-Bounds register information:")
        out.newline()
        out.write("  Base   : 0x"); out.hex(base, width: 8, zeroPad: true)
        out.write(" (decimal "); out.int(base); out.line(")")
        out.write("  Limit  : "); out.int(limit); out.newline()
        out.newline()
        if base + limit > psize {
            out.line("Error: address space does not fit into physical memory with those base/bounds values.")
            out.write("Base + Limit: "); out.int(base + limit); out.write("   Psize: "); out.int(psize); out.newline()
            throw .exit(1)
        }

        out.line("Virtual Address Trace")
        let solve = o.bool("solve")
        let n = ScriptValues.count(o.int("num"))
        var i = 0
        while i < n {
            let vaddr = ScriptValues.trunc(Double(asize) * rng.random())
            out.write("  VA "); out.int(i, width: 2); out.write(": 0x"); out.hex(vaddr, width: 8, zeroPad: true)
            out.write(" (decimal: "); out.int(vaddr, width: 4); out.write(") --> ")
            if !solve {
                out.line("PA or segmentation violation?")
            } else if vaddr >= limit {
                out.line("SEGMENTATION VIOLATION")
            } else {
                let paddr = vaddr + base
                out.write("VALID: 0x"); out.hex(paddr, width: 8, zeroPad: true)
                out.write(" (decimal: "); out.int(paddr, width: 4); out.line(")")
            }
            i += 1
        }
        out.newline()
        if !solve {
            out.line("For each virtual address, either write down the physical address it translates to")
            out.line("OR write down that it is an out-of-bounds address (a segmentation violation). For")
            out.line("this problem, you should assume a simple virtual address space of a given size.")
            out.newline()
        }
    }
}
