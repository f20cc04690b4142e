import VMSim
import VMTrace

/// Runs a `BuddyScript` against a `PhysicalMemory` and a `SlabAllocator`: boots the machine at
/// the first command that is not a setup command, keeps the script's names, and reports what
/// `show` prints and the allocations that fail through `emit`. Mistakes in the script (an unknown
/// name, a double free, an order above the maximum) throw a `TraceError` with the line.
///
/// A script has two phases, each its own type: `MachineSetup` gathers the machine's description
/// (memory or zones, CPUs, per-CPU lists, the largest order) and `BootedMachine` runs operations on
/// the machine it boots, so no operation can see a machine that is not there.
public struct BuddyScriptRunner {
    /// Something a script line printed.
    public struct Output: Hashable, Sendable {
        /// The script line.
        public var line: Int
        /// `show` target, `failure`, `random`, `check` or `trace`.
        public var kind: String
        /// The text printed, with its newline.
        public var text: String
    }

    enum Phase {
        case setup(MachineSetup)
        case running(BootedMachine)
    }

    /// The script's name in errors (`<stdin>` for standard input).
    public let file: String
    /// Print a line for every allocation and free, not only for failures.
    public let verbose: Bool
    let emit: (Output) -> Void
    var phase = Phase.setup(MachineSetup())

    /// The default machine when a script gives no memory: one 256 MiB Normal zone.
    public static let defaultMemory: UInt64 = 256 << 20

    /// A runner for the script `file` that hands what it prints to `emit`.
    /// - Complexity: O(1); the machine boots at the first operation.
    public init(file: String, verbose: Bool = false, emit: @escaping (Output) -> Void) {
        self.file = file
        self.verbose = verbose
        self.emit = emit
    }

    /// The machine, once booted.
    /// Free blocks of each order in each zone after every line (`ZONE.N`: zone name, order).
    public private(set) var series = SeriesSampler(unit: "lines", columns: [])

    /// The series with its last point at the end of the script.
    public mutating func finishedSeries() -> Series? {
        guard SeriesSampler.isEnabled, let m = memory else { return nil }
        return series.finished { Self.freeBlocks(m) }
    }

    static func freeBlocks(_ m: PhysicalMemory) -> [(String, Double)] {
        var out: [(String, Double)] = []
        for (slot, zone) in m.zones.enumerated() {
            for (order, n) in m.nrFreeCounts(zoneSlot: slot).enumerated() { out.append(("\(zone.type.kernelName).\(order)", Double(n))) }
        }
        return out
    }

    public var memory: PhysicalMemory? { if case .running(let m) = phase { m.memory } else { nil } }
    /// The slab allocator, once booted.
    public var slub: SlabAllocator? { if case .running(let m) = phase { m.slub } else { nil } }
    /// Failed allocations, in order.
    public var failures: [Output] { if case .running(let m) = phase { m.failures } else { [] } }

    /// Runs every line in order.
    /// - Complexity: the sum of the commands' costs.
    public mutating func run(_ lines: [BuddyScript.Line]) throws(TraceError) {
        for line in lines {
            try execute(line)
            if let m = memory { series.step { Self.freeBlocks(m) } }
        }
    }

    /// Boots the machine if the script never did (so that a script of setup lines has a state).
    /// - Complexity: O(pages) to boot the machine when the script never did, else O(1).
    public mutating func finish() throws(TraceError) {
        if case .setup(let setup) = phase { phase = .running(try boot(setup, line: 1)) }
    }

    mutating func execute(_ line: BuddyScript.Line) throws(TraceError) {
        switch phase {
        case .setup(var setup):
            if try setup.apply(line, file: file) {
                phase = .setup(setup)
                return
            }
            var machine = try boot(setup, line: line.number)
            try machine.execute(line)
            phase = .running(machine)
        case .running(var machine):
            phase = .setup(MachineSetup()) // drop the reference while mutating, so the machine is not copied
            defer { phase = .running(machine) }
            try machine.execute(line)
        }
    }

    func boot(_ setup: MachineSetup, line: Int) throws(TraceError) -> BootedMachine {
        BootedMachine(file: file, verbose: verbose, emit: emit, bootLine: line,
                      memory: try setup.boot(line: line, file: file), slub: SlabAllocator(cpus: setup.cpus))
    }

    /// The text of `show target` now.
    /// - Complexity: the cost of the file's rendering: O(zones × orders × migrate types) for the buddy files, O(caches) for slabinfo.
    public func render(_ target: BuddyScript.ShowTarget) -> String {
        if case .running(let m) = phase { m.render(target) } else { "" }
    }
}

func scriptError(_ file: String, _ line: Int, _ message: String) -> TraceError {
    TraceError(file: file, location: .line(line), message: message)
}

/// The machine a script describes before its first operation.
struct MachineSetup {
    var zones: [ZoneSpec] = []
    var memoryLine: Int?
    var zoneLine: Int?
    var cpus = 1
    var pcpEnabled = true
    var maxOrder = 10
    var minFreeKbytes: Int?
    var scaleFactor = 10

    static func pages(_ bytes: UInt64) -> Int? {
        guard bytes % 4096 == 0, bytes > 0 else { return nil }
        let n = bytes >> 12
        return n <= UInt64(PhysicalMemoryConfig.maxPages) ? Int(n) : Int.max
    }

    /// The machine described, booted.
    func boot(line: Int, file: String) throws(TraceError) -> PhysicalMemory {
        let zones = zones.isEmpty ? [ZoneSpec(type: .normal, pages: Int(BuddyScriptRunner.defaultMemory >> 12))] : zones
        let config = PhysicalMemoryConfig(zones: zones, cpus: cpus, pcpEnabled: pcpEnabled, maxOrder: maxOrder,
                                          minFreeKbytes: minFreeKbytes, watermarkScaleFactor: scaleFactor)
        if let problem = config.problem { throw scriptError(file, line, problem) }
        return PhysicalMemory(config)
    }

    /// Takes a setup line; returns false for an operation (which boots the machine).
    mutating func apply(_ line: BuddyScript.Line, file: String) throws(TraceError) -> Bool {
        let n = line.number
        func error(_ message: String) -> TraceError { scriptError(file, n, message) }
        switch line.command {
        case .memory(let bytes):
            if memoryLine != nil { throw error("memory is given twice") }
            if zoneLine != nil { throw error("give either `memory SIZE` or `zone` lines, not both") }
            guard let pages = Self.pages(bytes) else {
                throw error("memory \(bytes) bytes is not a positive whole number of 4 KiB pages")
            }
            guard pages <= PhysicalMemoryConfig.maxPages else { throw error("memory is larger than VMSim simulates (at most 64G)") }
            memoryLine = n
            zones = [ZoneSpec(type: .normal, pages: pages)]
        case .zone(let type, let bytes):
            if memoryLine != nil { throw error("give either `memory SIZE` or `zone` lines, not both") }
            guard let pages = Self.pages(bytes) else {
                throw error("zone \(type) size \(bytes) bytes is not a positive whole number of 4 KiB pages")
            }
            if let last = zones.last, last.type >= type {
                throw error("zone \(type) comes after \(last.type): give zones in the order DMA, DMA32, Normal, each once")
            }
            guard pages <= PhysicalMemoryConfig.maxPages else { throw error("zone \(type) is larger than VMSim simulates (at most 64G)") }
            zoneLine = n
            zones.append(ZoneSpec(type: type, pages: pages))
        case .cpus(let c): cpus = c
        case .pcp(let on): pcpEnabled = on
        case .maxOrder(let o): maxOrder = o
        case .minFreeKbytes(let k): minFreeKbytes = k
        case .watermarkScaleFactor(let f): scaleFactor = f
        default: return false
        }
        return true
    }
}

/// A booted machine and the script's names for what it allocated.
struct BootedMachine {
    /// What a name refers to.
    enum Handle {
        case pages(pfn: Int, order: Int)
        case object(SlabObject)
        case large(pfn: Int, order: Int)
        /// A NULL pointer: a failed allocation (or `kmalloc(0)`); freeing it does nothing.
        case null(fromKmalloc: Bool)
    }

    typealias Output = BuddyScriptRunner.Output

    let file: String
    let verbose: Bool
    let emit: (Output) -> Void
    let bootLine: Int
    var memory: PhysicalMemory
    var slub: SlabAllocator
    var handles: [String: Handle] = [:]
    var freed: [String: Int] = [:]
    /// Blocks allocated by `random` and not yet freed.
    var randomLive: [(pfn: Int, cpu: Int)] = []
    /// Failed allocations, in order.
    var failures: [Output] = []

    func error(_ line: Int, _ message: String) -> TraceError { scriptError(file, line, message) }

    mutating func execute(_ line: BuddyScript.Line) throws(TraceError) {
        let n = line.number
        switch line.command {
        case .memory, .zone, .cpus, .pcp, .maxOrder:
            throw error(n, "machine setup must come before the first operation (line \(bootLine) started the machine)")
        case .minFreeKbytes(let k):
            memory.setupWatermarks(minFreeKbytes: k)
        case .watermarkScaleFactor(let f):
            memory.setupWatermarks(scaleFactor: f)
        case .alloc(let name, let order, let type, let zone, let cpu):
            try alloc(n, name: name, order: order, type: type, zone: zone, cpu: cpu)
        case .free(let name, let cpu):
            try free(n, name: name, cpu: cpu, verb: "free")
        case .kfree(let name, let cpu):
            try free(n, name: name, cpu: cpu, verb: "kfree")
        case .kmalloc(let name, let bytes, let cpu):
            try kmalloc(n, name: name, bytes: bytes, cpu: cpu)
        case .cacheCreate(let name, let bytes, let align, let reclaimable):
            guard bytes <= UInt64(1 << 30) else { throw error(n, "object size \(bytes) is too large for a slab cache") }
            switch slub.createCache(name: name, size: Int(bytes), align: align, reclaimable: reclaimable,
                                    maxPageOrder: memory.maxOrder) {
            case .success: break
            case .failure(let e): throw error(n, "kmem_cache_create \(name): \(e.description)")
            }
        case .cacheAlloc(let name, let cache, let cpu):
            try cacheAlloc(n, name: name, cache: cache, cpu: cpu)
        case .cacheShrink(let cache):
            var index: Int?
            if let cache {
                guard let i = slub.cacheIndex(named: cache) else { throw error(n, "no slab cache named \(cache)") }
                index = i
            }
            slub.shrink(cache: index, memory: &memory)
        case .drain:
            memory.drainAllPages()
        case .random(let count, let seed, let order):
            try random(n, count: count, seed: seed, maxOrder: order)
        case .show(let target):
            emit(Output(line: n, kind: target.rawValue, text: render(target)))
        case .check:
            let problems = memory.checkInvariants()
            let text = problems.isEmpty
                ? "check: ok (\(memory.freePagesTotal) pages free, \(memory.pcpPages) on per-CPU lists, \(memory.allocatedPages) allocated)\n"
                : problems.map { "check: \($0)\n" }.joined()
            emit(Output(line: n, kind: "check", text: text))
        }
    }

    /// The text of `show target` now.
    func render(_ target: BuddyScript.ShowTarget) -> String {
        switch target {
        case .buddyinfo: ProcFiles.buddyinfo(memory)
        case .pagetypeinfo: ProcFiles.pagetypeinfo(memory)
        case .zoneinfo: ProcFiles.zoneinfo(memory)
        case .extfrag: ProcFiles.extfragIndex(memory)
        case .unusable: ProcFiles.unusableIndex(memory)
        case .slabinfo: ProcFiles.slabinfo(slub)
        case .stats: ProcFiles.stats(memory, slub)
        }
    }

    func checkNewName(_ line: Int, _ name: String) throws(TraceError) {
        if handles[name] != nil { throw error(line, "\(name) is already allocated; free it first or use another name") }
    }

    func checkCPU(_ line: Int, _ cpu: Int) throws(TraceError) {
        guard cpu < memory.cpus else { throw error(line, "cpu=\(cpu) but the machine has \(memory.cpus) CPU(s) (0 to \(memory.cpus - 1))") }
    }

    mutating func failure(_ line: Int, _ text: String) {
        let out = Output(line: line, kind: "failure", text: "line \(line): \(text)\n")
        failures.append(out)
        emit(out)
    }

    mutating func trace(_ line: Int, _ text: String) {
        if verbose { emit(Output(line: line, kind: "trace", text: text + "\n")) }
    }

    mutating func alloc(_ n: Int, name: String, order: Int, type: MigrateType, zone: ZoneType?, cpu: Int) throws(TraceError) {
        try checkNewName(n, name)
        try checkCPU(n, cpu)
        guard order <= memory.maxOrder else {
            throw error(n, "order \(order) is above the maximum order \(memory.maxOrder) (MAX_PAGE_ORDER)")
        }
        if let zone, !memory.hasZone(zone) {
            throw error(n, "zone=\(zone) but the machine has no \(zone) zone (zones: \(memory.zones.map { $0.type.kernelName }.joined(separator: ", ")))")
        }
        freed[name] = nil
        guard let pfn = memory.allocPages(order: order, migratetype: type, zone: zone, cpu: cpu) else {
            handles[name] = .null(fromKmalloc: false)
            failure(n, "alloc \(name): \(memory.lastFailure?.description ?? "page allocation failure")")
            return
        }
        handles[name] = .pages(pfn: pfn, order: order)
        let zoneName = memory.zones[memory.zoneSlotIndex(ofPfn: pfn)].type.kernelName
        trace(n, "alloc \(name): order \(order) at pfn \(pfn) (zone \(zoneName), \(memory.pageblockType(ofPfn: pfn)) pageblock)")
    }

    mutating func free(_ n: Int, name: String, cpu: Int, verb: String) throws(TraceError) {
        try checkCPU(n, cpu)
        guard let handle = handles[name] else {
            if let line = freed[name] { throw error(n, "\(name) was already freed (line \(line))") }
            throw error(n, "\(verb) \(name): no allocation is named \(name)")
        }
        switch (handle, verb) {
        case (.pages(let pfn, let order), "free"):
            memory.freePages(pfn: pfn, cpu: cpu)
            trace(n, "free \(name): order \(order) at pfn \(pfn)")
        case (.object(let obj), "kfree"):
            slub.free(obj, memory: &memory, cpu: cpu)
            trace(n, "kfree \(name): \(slub.caches[obj.cache].name) object")
        case (.large(let pfn, let order), "kfree"):
            slub.kfreeLarge(pfn: pfn, memory: &memory, cpu: cpu)
            trace(n, "kfree \(name): order \(order) at pfn \(pfn)")
        case (.null(let fromKmalloc), _) where fromKmalloc == (verb == "kfree"):
            trace(n, "\(verb) \(name): NULL, nothing to free")
        case (.pages, _), (.null(false), _):
            throw error(n, "\(name) is a page block from alloc; free it with `free \(name)`")
        default:
            throw error(n, "\(name) came from kmalloc or kmem_cache_alloc; free it with `kfree \(name)`")
        }
        handles[name] = nil
        freed[name] = n
    }

    mutating func kmalloc(_ n: Int, name: String, bytes: UInt64, cpu: Int) throws(TraceError) {
        try checkNewName(n, name)
        try checkCPU(n, cpu)
        freed[name] = nil
        let maxSize = UInt64(4096) << UInt64(memory.maxOrder)
        guard bytes <= maxSize else {
            handles[name] = .null(fromKmalloc: true)
            failure(n, "kmalloc \(name): \(bytes) bytes is above KMALLOC_MAX_SIZE (\(maxSize) bytes)")
            return
        }
        switch slub.kmalloc(size: Int(bytes), memory: &memory, cpu: cpu) {
        case .object(let obj):
            handles[name] = .object(obj)
            let cache = slub.caches[obj.cache]
            trace(n, "kmalloc \(name): \(bytes) bytes from \(cache.name), object \(obj.index) at 0x\(String(slub.address(of: obj), radix: 16))")
        case .pages(let pfn, let order):
            handles[name] = .large(pfn: pfn, order: order)
            trace(n, "kmalloc \(name): \(bytes) bytes from the page allocator, order \(order) at pfn \(pfn)")
        case .zeroSize:
            handles[name] = .null(fromKmalloc: true)
            trace(n, "kmalloc \(name): 0 bytes, ZERO_SIZE_PTR")
        case .failed:
            handles[name] = .null(fromKmalloc: true)
            failure(n, "kmalloc \(name) (\(bytes) bytes): \(memory.lastFailure?.description ?? "allocation failure")")
        }
    }

    mutating func cacheAlloc(_ n: Int, name: String, cache: String, cpu: Int) throws(TraceError) {
        try checkNewName(n, name)
        try checkCPU(n, cpu)
        guard let c = slub.cacheIndex(named: cache) else {
            throw error(n, "no slab cache named \(cache) (create it with kmem_cache_create)")
        }
        freed[name] = nil
        guard let obj = slub.cacheAlloc(cache: c, memory: &memory, cpu: cpu) else {
            handles[name] = .null(fromKmalloc: true)
            failure(n, "kmem_cache_alloc \(name) from \(cache): \(memory.lastFailure?.description ?? "allocation failure")")
            return
        }
        handles[name] = .object(obj)
        trace(n, "kmem_cache_alloc \(name): \(cache) object \(obj.index) at 0x\(String(slub.address(of: obj), radix: 16))")
    }

    /// `random COUNT`: each step allocates (a uniform order up to `max-order`, default 3, a
    /// uniform type and CPU) when nothing is live or a coin says so, and otherwise frees a
    /// uniformly chosen live block from a uniform CPU. Blocks stay allocated after the command.
    mutating func random(_ n: Int, count: Int, seed: UInt64, maxOrder: Int?) throws(TraceError) {
        let top = maxOrder ?? Swift.min(3, memory.maxOrder)
        guard top <= memory.maxOrder else {
            throw error(n, "max-order=\(top) is above the maximum order \(memory.maxOrder) (MAX_PAGE_ORDER)")
        }
        var rng = SimRandom(seed: seed)
        var allocs = 0, failed = 0, frees = 0
        let types: [MigrateType] = [.unmovable, .movable, .reclaimable]
        let cpus = UInt64(memory.cpus)
        for _ in 0..<count {
            let cpu = Int(rng.below(cpus))
            if randomLive.isEmpty || rng.below(2) == 0 {
                let order = Int(rng.below(UInt64(top + 1)))
                let type = types[Int(rng.below(3))]
                allocs += 1
                if let pfn = memory.allocPages(order: order, migratetype: type, zone: nil, cpu: cpu) {
                    randomLive.append((pfn, cpu))
                } else {
                    failed += 1
                }
            } else {
                let i = Int(rng.below(UInt64(randomLive.count)))
                let victim = randomLive[i]
                randomLive[i] = randomLive[randomLive.count - 1]
                randomLive.removeLast()
                memory.freePages(pfn: victim.pfn, cpu: cpu)
                frees += 1
            }
        }
        emit(Output(line: n, kind: "random",
                    text: "random: \(count) operations: \(allocs) allocations (\(failed) failed), \(frees) frees; \(randomLive.count) random blocks allocated\n"))
    }
}
