/// `paging-linear-translate.py` (vm-paging): a linear page table for a random address space, then
/// virtual addresses to translate through it.
///
/// Quirks reproduced: the size checks run in the script's order with its messages on standard
/// output and status 1 ("Error in argument: ..." for multiples and powers of two, where a multiple
/// is judged by comparing the truncated float quotient with the float quotient); each page is valid
/// with probability `used`% and takes a random free frame, drawn again until one is free; `-A`
/// addresses outside the address space are translated through their masked VPN, and a VPN beyond
/// the table ends the run (the script's `IndexError`).
/// The script tests powers of two with `int(log(x)/log(2))`; for every size it accepts (below 1 GB)
/// that is exact, so VMSim tests the bits directly.
enum LinearTranslateScript {
    static let options: [OptionParser.Option] = [
        .string("-A", "--addresses", "addresses", "-1",
                "a set of comma-separated pages to access; -1 means randomly generate"),
        .int("-s", "--seed", "seed", 0, "the random seed"),
        .string("-a", "--asize", "asize", "16k", "address space size (e.g., 16, 64k, 32m, 1g)"),
        .string("-p", "--physmem", "psize", "64k", "physical memory size (e.g., 16, 64k, 32m, 1g)"),
        .string("-P", "--pagesize", "pagesize", "4k", "page size (e.g., 4k, 8k, whatever)"),
        .int("-n", "--numaddrs", "num", 5, "number of virtual addresses to generate"),
        .int("-u", "--used", "used", 50, "percent of virtual address space that is used"),
        .flag("-v", nil, "verbose", "verbose mode"),
        .flag("-c", nil, "solve", "compute answers for me"),
    ]

    static func argumentError(_ message: String, _ out: ScriptOutput) -> ScriptExit {
        out.line(text: "Error in argument: " + message)
        return .exit(1)
    }

    /// `mustbemultipleof`: `int(float(a)/float(b)) != a / b` means "not a multiple".
    static func checkMultiple(_ a: Int, of b: Int, _ message: String, _ out: ScriptOutput) throws(ScriptExit) {
        guard b != 0 else {
            throw .crash("a page size of 0 divides by zero", exception: "ZeroDivisionError")
        }
        let q = Double(a) / Double(b)
        if q.rounded(.towardZero) != q { throw argumentError(message, out) }
    }

    static func isPowerOfTwo(_ x: Int) -> Bool { x > 0 && x & (x - 1) == 0 }

    /// - Complexity: O(physical pages + virtual pages + addresses), plus the expected redraws of
    ///   taken frames.
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        let verbose = o.bool("verbose")
        let addresses = o.string("addresses")
        let seed = try ScriptValues.echoSeedAndSizes(o, out)
        out.line(text: "ARG page size " + o.string("pagesize"))
        out.line(text: "ARG verbose " + (verbose ? "True" : "False"))
        out.line(text: "ARG addresses " + addresses)
        out.newline()

        var rng = PythonRandom(seed: seed)
        let asize = try ScriptValues.size(o.string("asize"), "address space size")
        let psize = try ScriptValues.size(o.string("psize"), "physical memory size")
        let pagesize = try ScriptValues.size(o.string("pagesize"), "page size")
        if psize <= 1 {
            out.line("Error: must specify a non-zero physical memory size.")
            throw .exit(1)
        }
        if asize < 1 {
            out.line("Error: must specify a non-zero address-space size.")
            throw .exit(1)
        }
        if psize <= asize {
            out.line("Error: physical memory size must be GREATER than address space size (for this simulation)")
            throw .exit(1)
        }
        if psize >= 1 << 30 || asize >= 1 << 30 {
            out.line("Error: must use smaller sizes (less than 1 GB) for this simulation.")
            throw .exit(1)
        }
        try checkMultiple(asize, of: pagesize, "address space must be a multiple of the pagesize", out)
        try checkMultiple(psize, of: pagesize, "physical memory must be a multiple of the pagesize", out)
        let pages = ScriptValues.trunc(Double(psize) / Double(pagesize))
        let vpages = ScriptValues.trunc(Double(asize) / Double(pagesize))
        if !isPowerOfTwo(asize) { throw argumentError("address space must be a power of 2", out) }
        guard pagesize > 0 else {
            throw .crash("a negative page size has no logarithm (math domain error)", exception: "ValueError")
        }
        if !isPowerOfTwo(pagesize) { throw argumentError("page size must be a power of 2", out) }
        let pagebits = pagesize.trailingZeroBitCount
        let pagemask = (1 << pagebits) - 1
        let vpnmask = 0xFFFF_FFFF & ~pagemask

        out.newline()
        out.line("The format of the page table is simple:")
        out.line("The high-order (left-most) bit is the VALID bit.")
        out.line("  If the bit is 1, the rest of the entry is the PFN.")
        out.line("  If the bit is 0, the page is not valid.")
        out.line("Use verbose mode (-v) if you want to print the VPN # by")
        out.line("each entry of the page table.")
        out.newline()
        out.line("Page Table (from entry 0 down to the max size)")
        let threshold = 100.0 - Double(try ScriptValues.bounded(o.int("used"), "used"))
        var usedFrames = [Bool](repeating: false, count: max(pages, 0))
        var pageTable: [Int] = []
        pageTable.reserveCapacity(max(vpages, 0))
        var v = 0
        while v < vpages {
            while true {
                if rng.random() * 100.0 > threshold {
                    let u = ScriptValues.trunc(Double(pages) * rng.random())
                    if usedFrames[u] { continue }
                    usedFrames[u] = true
                    entryPrefix(v, verbose, out)
                    out.write("0x"); out.hex(0x8000_0000 | u, width: 8, zeroPad: true); out.newline()
                    pageTable.append(u)
                } else {
                    entryPrefix(v, verbose, out)
                    out.line("0x00000000")
                    pageTable.append(-1)
                }
                break
            }
            v += 1
        }
        out.newline()

        // The trace: the -A list (each read with int() when its turn comes) or drawn addresses (the
        // script draws them all first; no other draw comes between, so drawing in turn is the same).
        let listed = addresses == "-1" ? nil : pySplit(addresses, ",")
        let total = listed?.count ?? ScriptValues.count(o.int("num"))
        let solve = o.bool("solve")
        out.line("Virtual Address Trace")
        var i = 0
        while i < total {
            let vaddr: Int
            if let listed {
                vaddr = try ScriptValues.int(listed[i], "virtual address")
            } else {
                vaddr = ScriptValues.trunc(Double(asize) * rng.random())
            }
            i += 1
            if !solve {
                out.write("  VA 0x"); out.hex(vaddr, width: 8, zeroPad: true)
                out.write(" (decimal: "); out.int(vaddr, width: 8); out.line(") --> PA or invalid address?")
                continue
            }
            let vpn = (vaddr & vpnmask) >> pagebits
            guard vpn < pageTable.count else {
                throw .crash("virtual address \(vaddr) has VPN \(vpn), beyond the page table of \(pageTable.count) entries",
                             exception: "IndexError")
            }
            out.write("  VA 0x"); out.hex(vaddr, width: 8, zeroPad: true)
            out.write(" (decimal: "); out.int(vaddr, width: 8); out.write(") --> ")
            let pfn = pageTable[vpn]
            if pfn < 0 {
                out.write(" Invalid (VPN "); out.int(vpn); out.line(" not valid)")
            } else {
                let paddr = (pfn << pagebits) | (vaddr & pagemask)
                out.hex(paddr, width: 8, zeroPad: true)
                out.write(" (decimal "); out.int(paddr, width: 8); out.write(") [VPN "); out.int(vpn); out.line("]")
            }
        }
        out.newline()
        if !solve {
            out.line("For each virtual address, write down the physical address it translates to")
            out.line("OR write down that it is an out-of-bounds address (e.g., segfault).")
            out.newline()
        }
    }

    static func entryPrefix(_ v: Int, _ verbose: Bool, _ out: ScriptOutput) {
        if verbose {
            out.write("  ["); out.int(v, width: 8); out.write("]  ")
        } else {
            out.write("  ")
        }
    }
}
