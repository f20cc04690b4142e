/// `paging-multilevel-translate.py` (vm-smalltables): a two-level page table in a 4 KiB physical
/// memory of 128 pages of 32 bytes; 32 KiB virtual address spaces (1024 pages, a page directory of
/// 32 entries, page-table pages of 32 one-byte PTEs: valid bit and 7-bit PFN).
///
/// Quirks reproduced: free frames are found by drawing until a free one comes up; each allocated
/// page is filled with `int(random() * 31)` bytes; directory and page-table pages start filled with
/// 0x7f; about half the addresses asked about come from the allocated pages, the rest anywhere.
/// Difference: allocating more pages than physical memory holds stops the script with an
/// `AssertionError` traceback; VMSim says so and exits with status 1.
enum MultilevelTranslateScript {
    static let options: [OptionParser.Option] = [
        .int("-s", "--seed", "seed", 0, "the random seed"),
        .int("-a", "--allocated", "allocated", 64, "number of virtual pages allocated"),
        .int("-n", "--addresses", "num", 10, "number of virtual addresses to generate"),
        .flag("-c", "--solve", "solve", "compute answers for me"),
    ]

    static let pageSize = 32
    static let physPages = 128
    static let vaPages = 1024
    static let pageBits = 5
    static let pdeMask = 0x7C00
    static let pdeShift = 10
    static let pteMask = 0x03E0
    static let pteShift = 5
    static let offsetMask = 0x1F

    /// The simulated machine: physical memory and the frames in use.
    struct Machine {
        var memory = [Int](repeating: 0, count: MultilevelTranslateScript.pageSize * MultilevelTranslateScript.physPages)
        var usedPages = [Bool](repeating: false, count: MultilevelTranslateScript.physPages)
        var usedCount = 0
        var pdbr = 0

        mutating func findFree(_ rng: inout PythonRandom) throws(ScriptExit) -> Int {
            guard usedCount < physPages else {
                throw .crash("all \(physPages) physical pages are in use; allocate fewer virtual pages (-a)",
                             exception: "AssertionError")
            }
            var look = ScriptValues.trunc(rng.random() * Double(physPages))
            while usedPages[look] { look = ScriptValues.trunc(rng.random() * Double(physPages)) }
            usedCount += 1
            usedPages[look] = true
            return look
        }

        mutating func fillWith7F(_ page: Int) {
            for i in (page << pageBits)..<((page << pageBits) + pageSize) { memory[i] = 0x7F }
        }

        mutating func allocVirtualPage(_ vp: Int, _ pp: Int, _ rng: inout PythonRandom) throws(ScriptExit) {
            let vaddr = vp << pageBits
            let pdeAddr = (pdbr << pageBits) | ((vaddr & pdeMask) >> pdeShift)
            let pde = memory[pdeAddr]
            let ptePage: Int
            if pde & 0x80 == 0 {
                ptePage = try findFree(&rng)
                memory[pdeAddr] = 0x80 | ptePage
                fillWith7F(ptePage)
            } else {
                ptePage = pde & 0x7F
            }
            let pteAddr = (ptePage << pageBits) | ((vaddr & pteMask) >> pteShift)
            memory[pteAddr] = 0x80 | pp
        }
    }

    /// - Complexity: O(allocated pages + addresses + 4096) (memory dump), plus the expected redraws.
    static func main(_ arguments: [String], _ ctx: ScriptContext) throws(ScriptExit) {
        let o = try ctx.parser(options).parse(arguments, out: ctx.out, host: ctx.host)
        let out = ctx.out
        let seed = o.int("seed")
        out.line(text: "ARG seed " + (try ScriptValues.str(seed)))
        out.line(text: "ARG allocated " + (try ScriptValues.str(o.int("allocated"))))
        out.line(text: "ARG num " + (try ScriptValues.str(o.int("num"))))
        out.newline()

        var rng = PythonRandom(seed: seed)
        var m = Machine()
        // procAlloc(1, allocated)
        m.pdbr = try m.findFree(&rng)
        m.fillWith7F(m.pdbr)
        var usedVPs = [Bool](repeating: false, count: vaPages)
        var allocated: [Int] = []
        let count = ScriptValues.count(o.int("allocated"))
        var k = 0
        while k < count {
            var vp = ScriptValues.trunc(rng.random() * Double(vaPages))
            while usedVPs[vp] { vp = ScriptValues.trunc(rng.random() * Double(vaPages)) }
            usedVPs[vp] = true
            allocated.append(vp)
            let pp = try m.findFree(&rng)
            try m.allocVirtualPage(vp, pp, &rng)
            for j in 0..<pageSize { m.memory[pp * pageSize + j] = ScriptValues.trunc(rng.random() * 31) }
            k += 1
        }

        for page in 0..<physPages {
            out.write("page "); out.int(page, width: 3); out.write(":")
            for j in 0..<pageSize { out.hex(m.memory[page * pageSize + j], width: 2, zeroPad: true) }
            out.newline()
        }
        out.newline()
        out.write("PDBR: "); out.int(m.pdbr); out.line("  (decimal) [This means the page directory is held in this page]")
        out.newline()

        let solve = o.bool("solve")
        let n = ScriptValues.count(o.int("num"))
        var i = 0
        while i < n {
            let vaddr: Int
            if rng.random() * 100 > 50.0 || i >= allocated.count {
                vaddr = ScriptValues.trunc(rng.random() * 1024 * 32)
            } else {
                vaddr = (allocated[i] << 5) | ScriptValues.trunc(rng.random() * 32)
            }
            i += 1
            guard solve else {
                out.write("Virtual Address "); out.hex(vaddr, width: 4, zeroPad: true)
                out.line(": Translates To What Physical Address (And Fetches what Value)? Or Fault?")
                continue
            }
            out.write("Virtual Address 0x"); out.hex(vaddr, width: 4, zeroPad: true); out.line(":")
            let pdeIndex = (vaddr & pdeMask) >> pdeShift
            let pde = m.memory[(m.pdbr << pageBits) | pdeIndex]
            entry("  --> pde index:0x", pdeIndex, " pde contents:0x", pde, out)
            guard pde & 0x80 != 0 else {
                out.line("      --> Fault (page directory entry not valid)")
                continue
            }
            let pteIndex = (vaddr & pteMask) >> pteShift
            let pte = m.memory[((pde & 0x7F) << pageBits) | pteIndex]
            entry("    --> pte index:0x", pteIndex, " pte contents:0x", pte, out)
            guard pte & 0x80 != 0 else {
                out.line("      --> Fault (page table entry not valid)")
                continue
            }
            let paddr = ((pte & 0x7F) << pageBits) | (vaddr & offsetMask)
            out.write("      --> Translates to Physical Address 0x"); out.hex(paddr, width: 3, zeroPad: true)
            out.write(" --> Value: 0x"); out.hex(m.memory[paddr], width: 2, zeroPad: true); out.newline()
        }
        out.newline()
    }

    /// `'... index:0x%x [decimal %d] ... contents:0x%x (valid %d, pfn 0x%02x [decimal %d])'`
    static func entry(_ head: String, _ index: Int, _ middle: String, _ value: Int, _ out: ScriptOutput) {
        let valid = (value & 0x80) >> 7
        let pfn = value & 0x7F
        out.text(head); out.hex(index); out.write(" [decimal "); out.int(index); out.write("]")
        out.text(middle); out.hex(value); out.write(" (valid "); out.int(valid)
        out.write(", pfn 0x"); out.hex(pfn, width: 2, zeroPad: true); out.write(" [decimal "); out.int(pfn)
        out.line("])")
    }
}
