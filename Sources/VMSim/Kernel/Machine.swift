/// How a `Machine` is built: Linux 6.x x86-64 defaults.
public struct MachineConfig: Sendable {
    /// RAM in bytes (one Normal zone).
    public var memory: UInt64 = 64 << 20
    /// Swap in bytes (0: no swap device).
    public var swap: UInt64 = 0
    /// The page-table format of every process.
    public var format: PageTableFormat = .x86_64
    /// The TLBs of each CPU.
    public var tlb: TLBSpec = .skylake
    /// `vm.swappiness`, 0...200.
    public var swappiness = 60
    /// `vm.page-cluster`: swap readahead reads 2^page_cluster slots.
    public var pageCluster = 3
    /// Transparent huge pages (`/sys/kernel/mm/transparent_hugepage/enabled`).
    public var thp: THPMode = .madvise
    /// CPUs (1...64), each with its own TLBs, walk caches and per-CPU page lists.
    public var cpus = 1
    /// `vm.min_free_kbytes` (nil: the kernel's formula).
    public var minFreeKbytes: Int?
    /// Which reclaim lists the kernel runs: the two-list LRU (the default of most distributions'
    /// kernels) or the multi-generational LRU (`CONFIG_LRU_GEN_ENABLED`, `lru_gen_enabled()`).
    public var lru: LRUMode = .twoList
    /// Check every invariant after every operation (slow; for tests).
    public var checkInvariants = false
    /// The defaults: 64 MiB, no swap, x86-64 four-level tables, Skylake TLBs, swappiness 60.
    /// - Complexity: O(1).
    public init() {}
}

/// The page reclaim a machine runs (`machine lru=2list|mglru`).
public enum LRUMode: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Active and inactive lists per type (mm/vmscan.c `shrink_lruvec`).
    case twoList = "2list"
    /// Generations aged by page-table walks (mm/vmscan.c `lru_gen_shrink_node`).
    case mglru
    public var description: String { rawValue }
}

/// What went wrong with a call into the machine: the caller's mistake (an unknown or dead
/// process), or a system call's error return (`errno`). What happens inside the simulation
/// (a segfault, an OOM kill) is not an error: it is reported in the results.
public enum KernelError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No process has this pid.
    case noSuchProcess(Int)
    /// The process has exited or was killed.
    case notRunning(pid: Int, state: TaskState)
    /// The system call failed (ENOMEM, EINVAL).
    case errno(VMAError)
    /// The swap file could not be written or read.
    case swapIO(String)

    public var description: String {
        switch self {
        case .noSuchProcess(let pid): "no process with pid \(pid)"
        case .notRunning(let pid, let state): "process \(pid) has \(state == .exited ? "exited" : "been killed")"
        case .errno(let e): e.description
        case .swapIO(let why): "swap file: \(why)"
        }
    }
}

/// What one access did.
public enum AccessOutcome: Hashable, Sendable {
    /// The access completed (after any faults it took).
    case done
    /// The process was killed by this access (SIGSEGV) or while its fault waited for memory (the
    /// OOM killer chose it).
    case killed(KillSignal)
}

/// The backing store of a swap device: page-sized slots read and written for real.
public protocol SwapBacking: AnyObject {
    /// Writes one page (exactly the slot size) at `slot`.
    func write(slot: Int, page: UnsafeRawBufferPointer) throws(KernelError)
    /// Reads one page from `slot`.
    func read(slot: Int, into page: UnsafeMutableRawBufferPointer) throws(KernelError)
}

/// Linux's memory manager as a whole: processes with address spaces, demand paging and the zero
/// page, copy-on-write fork, swap to a real backing file, reclaim (the two-list LRU or the
/// multi-gen LRU) with kswapd and direct reclaim, and the OOM killer, built from the engine's parts: each process's
/// `RadixPageTable` takes its table pages from the machine's `PhysicalMemory` (the buddy
/// allocator with zones, watermarks and per-CPU lists), kernel objects come from SLUB caches with
/// their kernel names, each CPU is a `CPU` (TLBs, walk caches, PCIDs), and reclaim runs over the
/// `LRUVector` that the trace policies `linux-2list` and `mglru` use. docs/kernel.md lists, per file, the
/// kernel function each part reproduces and every simplification.
///
///     var m = try Machine(MachineConfig())
///     let a = try m.createProcess(name: "A")
///     let heap = try m.mmap(a, length: 1 << 20, protection: [.read, .write])
///     try m.access(a, heap, .store)       // a fault: a new zeroed frame
///     try m.access(a, heap + 4096, .load) // the zero page, no frame
///     m.task(a).minorFaults               // 2
public struct Machine {
    /// The configuration.
    public let config: MachineConfig
    /// The buddy allocator and what the kernel takes from it.
    public internal(set) var memory: KernelMemory
    /// SLUB: `vm_area_struct`, `mm_struct`, `task_struct`, `anon_vma` and the kmalloc caches.
    public internal(set) var slub: SlabAllocator
    /// `struct page` per frame.
    public internal(set) var frames: PageFrames
    /// The node's LRU lists, keyed by pfn.
    public internal(set) var lru: LRUVector
    /// The CPUs; a process's thread k runs on CPU (k - 1) mod `config.cpus`.
    public internal(set) var cpus: [KernelCPU]
    /// The CPU the current operation runs on (the calling thread's).
    public internal(set) var currentCPU = 0
    /// Files, by id, with their page caches.
    public internal(set) var files: [SimFile] = []
    /// Address spaces, by index (nil once freed).
    public internal(set) var mms: [MMStruct?] = []
    /// Every process ever created, in pid order.
    public internal(set) var tasks: [TaskInfo] = []
    /// The swap device, if any.
    public internal(set) var swap: SwapDevice?
    /// Event counters, by their /proc/vmstat names.
    public internal(set) var vmstat = VMStat()
    /// The shared zero page's pfn (`ZERO_PAGE(0)`).
    public let zeroPfn: Int
    /// Content checks made on reads and swap-ins, and how many found the wrong content (must be 0).
    public internal(set) var pagesVerified = 0, mismatches = 0
    /// Anonymous address spaces per anon_vma family (the reverse map's index).
    var anonVmaMembers: [[Int]] = []
    /// Slab objects held per address space (its mm_struct, VMAs and anon_vma) and per task.
    var mmObjects: [[SlabObject]] = []
    var taskObjects: [SlabObject?] = []
    var vmaCache = 0, mmCache = 0, taskCache = 0, anonVmaCache = 0
    /// The address space a `replay` runs in (-1: none), whose unmapped pages are mapped on touch,
    /// and how many have been.
    var replayMM = -1, replayMappedPages = 0
    /// `lruvec->nonresident_age`: evictions and refault activations so far.
    var nonresidentAge: UInt64 = 0
    /// MGLRU's refault feedback (the PID controller's counters).
    var lruGenCtrl = LRUGenCtrl()
    /// A clock for content tokens.
    var writeClock: UInt64 = 0
    var nextContext: UInt64 = 1
    /// Faults that failed inside `handle_mm_fault` (the task was killed while its fault waited for
    /// memory, or the swap file could not be read): counted in pgfault but in no task's
    /// min_flt or maj_flt, as `mm_account_fault` counts them.
    public internal(set) var failedFaults = 0
    /// The last swap-file error (a read or write that failed), if any.
    public internal(set) var swapError: String?
    /// Whether kswapd has been woken and not yet gone back to sleep.
    public internal(set) var kswapdAwake = false
    /// The pids the OOM killer has killed, in order.
    public internal(set) var oomVictims: [Int] = []
    /// The virtio-balloon's pages (a guest's), in the order taken.
    var balloon: [Int] = []
    /// For a guest: the distinct guest-physical pages its accesses touched since the host last
    /// looked, in first-touch order (pfn << 1 | written), and where each is; nil on a machine
    /// that is no guest.
    public internal(set) var guestTouches: [UInt64]?
    var guestTouchIndex: [UInt64: Int] = [:]
    /// ksmd: the address spaces it scans, its rmap items and the stable tree.
    var ksm = KSMState()
    /// The content the store in progress writes (`fill`), instead of a fresh token.
    var fillToken: UInt64?
    /// The reclaim in progress: its target cgroup and memory.low pass.
    var sc = ReclaimControl()
    /// Where the next partial walk over a target's cgroups starts (`mem_cgroup_iter`'s shared
    /// reclaim position), by target.
    var reclaimCursor: [Int: Int] = [:]

    /// A machine with `config`'s memory and swap (backed by `backing`, which must hold
    /// `config.swap` bytes), no processes yet.
    /// - Throws: `KernelError.errno(.invalid)` for a memory too small or too large, or swap
    ///   without a backing store.
    /// - Complexity: O(pages).
    public init(_ config: MachineConfig, swapBacking backing: SwapBacking? = nil) throws(KernelError) {
        let pages = Int(config.memory >> 12)
        guard pages >= 256, pages <= PhysicalMemoryConfig.maxPages else {
            throw .errno(.invalid("memory must be between 1M and \(PhysicalMemoryConfig.maxPages >> 8)M"))
        }
        guard (1...64).contains(config.cpus) else { throw .errno(.invalid("cpus must be between 1 and 64")) }
        self.config = config
        var phys = PhysicalMemory(PhysicalMemoryConfig.normal(pages: pages, cpus: config.cpus))
        if let kb = config.minFreeKbytes { phys.setupWatermarks(minFreeKbytes: kb) }
        memory = KernelMemory(phys: phys, cpus: config.cpus)
        slub = SlabAllocator(cpus: config.cpus)
        frames = PageFrames(pages: pages)
        lru = LRUVector(frames: pages)
        cpus = (0..<config.cpus).map { _ in KernelCPU(format: config.format, tlb: config.tlb) }
        guard let zero = memory.phys.allocPages(order: 0, migratetype: .unmovable) else {
            throw .errno(.noMemory("no frame for the zero page"))
        }
        zeroPfn = zero
        frames[zero].flags = .reserved
        func cache(_ name: String, _ size: Int) -> Int {
            switch slub.createCache(name: name, size: size) {
            case .success(let c): return c
            case .failure: return slub.cacheIndex(named: name) ?? 0
            }
        }
        // The object sizes of a Linux 6.18 x86-64 kernel's /proc/slabinfo.
        vmaCache = cache("vm_area_struct", 192)
        mmCache = cache("mm_struct", 1600)
        taskCache = cache("task_struct", 5888)
        anonVmaCache = cache("anon_vma", 104)
        if config.swap > 0 {
            guard let backing else { throw .errno(.invalid("swap needs a backing file")) }
            swap = SwapDevice(slots: Int(config.swap >> 12), backing: backing)
        }
    }

    // MARK: Processes

    /// `fork` of nothing: a new process with an empty address space (`mm_alloc`), named `name`.
    /// Returns its pid.
    /// - Throws: `.errno(.noMemory)` when no memory is left for its page table or kernel objects.
    /// - Complexity: O(entries of a root table).
    public mutating func createProcess(name: String, oomScoreAdj: Int = 0, cgroup: Int = 0) throws(KernelError) -> Int {
        guard memory.memcg.cgroups.indices.contains(cgroup) else { throw .errno(.invalid("no cgroup \(cgroup)")) }
        let saved = memory.chargeGroup
        memory.chargeGroup = cgroup
        defer { memory.chargeGroup = saved }
        let mm = try newMM(anonVma: nil, memcg: cgroup)
        return try newTask(name: name, mm: mm, oomScoreAdj: oomScoreAdj, memcg: cgroup)
    }

    /// `clone(CLONE_VM | CLONE_THREAD)`: a new thread of `pid`'s process, sharing its address
    /// space, named NAME.K for the process's K-th thread and run on CPU (K - 1) mod `cpus`.
    /// Returns its pid.
    /// - Throws: `.errno(.noMemory)` when no memory is left for its task_struct; `noSuchProcess`
    ///   / `notRunning` for a bad `pid`.
    /// - Complexity: O(tasks).
    @discardableResult
    public mutating func createThread(_ pid: Int) throws(KernelError) -> Int {
        let t = try running(pid)
        let leader = tasks[t].tgid, mm = tasks[t].mm
        let k = threads(of: leader).count + 1
        let tid = try newTask(name: "\(tasks[leader - 1].name).\(k)", mm: mm, oomScoreAdj: tasks[t].oomScoreAdj, tgid: leader, memcg: tasks[t].memcg)
        tasks[tid - 1].cpu = (k - 1) % config.cpus
        mms[mm]!.users += 1
        return tid
    }

    /// The pids of every thread ever created in `pid`'s process, the first first.
    /// - Complexity: O(tasks).
    public func threads(of pid: Int) -> [Int] {
        let g = tasks[pid - 1].tgid
        return tasks.filter { $0.tgid == g }.map(\.pid)
    }

    /// A new address space, in a new anon_vma family or in `anonVma`'s.
    mutating func newMM(anonVma: Int32?, memcg: Int) throws(KernelError) -> Int {
        var table: RadixPageTable
        do throws(MapError) {
            table = try withReclaim { m throws(MapError) in try RadixPageTable(format: m.config.format, memory: &m.memory) }
        } catch {
            throw .errno(.noMemory("no memory for a page table"))
        }
        _ = table.tablePages
        let family: Int32
        if let anonVma { family = anonVma } else {
            family = Int32(anonVmaMembers.count)
            anonVmaMembers.append([])
        }
        let index = mms.count
        let mmapBase = Self.mmapBase(config.format)
        mms.append(MMStruct(vmas: VMATree(mmapBase: mmapBase), table: table, contextID: nextContext, anonVma: family,
                            startBrk: Self.startBrk, brk: Self.startBrk, memcg: memcg))
        nextContext += 1
        anonVmaMembers[Int(family)].append(index)
        mmObjects.append([])
        try allocObject(mmCache, for: index)
        try allocObject(anonVmaCache, for: index)
        return index
    }

    /// `mm->start_brk` of a small position-independent executable loaded without address-space
    /// randomisation: right after its image at ELF_ET_DYN_BASE (0x555555554000).
    public static let startBrk: UInt64 = 0x5555_5555_8000

    /// `mmap_base` for a process without address-space randomisation: the top of the user half
    /// less the stack gap (`mmap_base()` in arch/x86/mm/mmap.c: TASK_SIZE - 128M gap, page aligned).
    static func mmapBase(_ format: PageTableFormat) -> UInt64 {
        let taskSize = (UInt64(1) << UInt64(format.virtualBits - 1)) - 4096
        return (taskSize - (128 << 20)) & ~4095
    }

    mutating func newTask(name: String, mm: Int, oomScoreAdj: Int, tgid: Int? = nil, memcg: Int) throws(KernelError) -> Int {
        let pid = tasks.count + 1
        tasks.append(TaskInfo(name: name, pid: pid, mm: mm, tgid: tgid ?? pid, memcg: memcg, oomScoreAdj: max(-1000, min(1000, oomScoreAdj))))
        taskObjects.append(nil)
        guard let object = slabAlloc(taskCache, memcg: memcg) else { throw .errno(.noMemory("no memory for a task_struct")) }
        taskObjects[pid - 1] = object
        return pid
    }

    /// A slab object of `cache` (reclaiming while none can be had), charged to cgroup `memcg`
    /// (the caches are SLAB_ACCOUNT).
    mutating func slabAlloc(_ cache: Int, memcg: Int) -> SlabObject? {
        let object = withReclaimSimple { m in m.slub.cacheAlloc(cache: cache, memory: &m.memory.phys, cpu: m.currentCPU) }
        if object != nil { chargeSlab(memcg, bytes: slub.caches[cache].size) }
        return object
    }

    /// Frees a slab object charged to `memcg`.
    mutating func slabFree(_ o: SlabObject, memcg: Int) {
        chargeSlab(memcg, bytes: -slub.caches[o.cache].size)
        slub.free(o, memory: &memory.phys, cpu: currentCPU)
    }

    /// Takes a slab object of `cache` for address space `mm`.
    mutating func allocObject(_ cache: Int, for mm: Int) throws(KernelError) {
        guard let object = slabAlloc(cache, memcg: memcg(ofMM: mm)) else { throw .errno(.noMemory("no memory for a \(slub.caches[cache].name)")) }
        mmObjects[mm].append(object)
    }

    /// Keeps one `vm_area_struct` per VMA of `mm` (after a split, a merge or an unmap).
    mutating func syncVMAObjects(_ mm: Int) {
        guard let count = mms[mm]?.vmas.count else { return }
        var held = mmObjects[mm].filter { $0.cache == vmaCache }.count
        let g = memcg(ofMM: mm)
        while held < count {
            guard let o = slabAlloc(vmaCache, memcg: g) else { break }
            mmObjects[mm].append(o)
            held += 1
        }
        while held > count, let i = mmObjects[mm].lastIndex(where: { $0.cache == vmaCache }) {
            slabFree(mmObjects[mm].remove(at: i), memcg: g)
            held -= 1
        }
    }

    /// The task `pid`.
    /// - Complexity: O(1).
    public func task(_ pid: Int) -> TaskInfo { tasks[pid - 1] }

    /// The running task `pid`'s index, or the error that says why there is none.
    func running(_ pid: Int) throws(KernelError) -> Int {
        guard pid >= 1 && pid <= tasks.count else { throw .noSuchProcess(pid) }
        let t = tasks[pid - 1]
        guard t.state == .running else { throw .notRunning(pid: pid, state: t.state) }
        return pid - 1
    }

    /// The address space of running task `pid`.
    /// - Complexity: O(1).
    public func mm(of pid: Int) -> MMStruct? {
        guard pid >= 1 && pid <= tasks.count, tasks[pid - 1].state == .running else { return nil }
        return mms[tasks[pid - 1].mm]
    }

    // MARK: System calls on the address space

    /// `mmap(addr, length, prot, MAP_PRIVATE|MAP_ANONYMOUS or MAP_SHARED|MAP_ANONYMOUS, -1, 0)`:
    /// an anonymous mapping, at `address` when given (MAP_FIXED), else placed top down. Returns
    /// its start.
    /// - Throws: `.errno` (ENOMEM: no room or max_map_count; EINVAL: a bad range).
    /// - Complexity: O(VMAs), plus unmapping what MAP_FIXED replaces.
    @discardableResult
    public mutating func mmap(_ pid: Int, at address: UInt64? = nil, length: UInt64, protection: VMAFlags,
                              shared: Bool = false, name: String = "") throws(KernelError) -> UInt64 {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        if let address {
            // MAP_FIXED unmaps what was there, pages included.
            try munmap(pid, address, length: length)
        }
        if shared {
            // MAP_SHARED|MAP_ANONYMOUS: a shmem object of its own.
            let file = shmemZeroSetup(length: length)
            return try mmapRegion(mm, at: address, length: length, flags: .mmap(protection, shared: true), file: file,
                                  pgoff: 0, name: files[file].name)
        }
        return try mmapRegion(mm, at: address, length: length, flags: .mmap(protection, shared: false), file: nil, pgoff: nil, name: name)
    }

    /// `mmap_region`: the VMA inserted (merging), its object counted, the high-water mark kept.
    mutating func mmapRegion(_ mm: Int, at address: UInt64?, length: UInt64, flags: VMAFlags, file: Int?, pgoff: UInt64?,
                             name: String) throws(KernelError) -> UInt64 {
        do throws(VMAError) {
            let start = try mms[mm]!.vmas.mmap(at: address, length: length, flags: flags, file: file, pgoff: pgoff, name: name)
            syncVMAObjects(mm)
            updateHiwaterVM(mm)
            check()
            return start
        } catch {
            throw .errno(error)
        }
    }

    /// `munmap(start, length)`: the VMAs split and removed (`do_vmi_munmap`), their pages and
    /// swap entries released (`zap_page_range`, `free_pgtables`), the TLB flushed for the range.
    /// - Throws: `.errno(.invalid)` for a misaligned or empty range.
    /// - Complexity: O(VMAs + pages and tables in the range).
    public mutating func munmap(_ pid: Int, _ start: UInt64, length: UInt64) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        let length = (length + 4095) & ~4095
        if length > 0 { splitHugePagesAtEnds(mm: mm, start..<(start &+ length)) }
        do throws(VMAError) {
            let removed = try mms[mm]!.vmas.munmap(start, length: length)
            for vma in removed { zapRange(mm: mm, vma.start..<vma.end) }
            releaseUnmappedShmem(Set(removed.compactMap(\.file)))
            syncVMAObjects(mm)
            check()
        } catch {
            throw .errno(error)
        }
    }

    /// `mprotect(start, length, prot)`: the VMAs split, changed and merged (`mprotect_fixup`), the
    /// page-table entries rewritten (`change_protection`) and the TLB flushed for the range.
    /// Private pages stay write-protected where copy-on-write still applies.
    /// - Throws: `.errno` (ENOMEM for a range with holes).
    /// - Complexity: O(VMAs + pages in the range).
    public mutating func mprotect(_ pid: Int, _ start: UInt64, length: UInt64, protection: VMAFlags) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        let mm = tasks[t].mm
        let length = (length + 4095) & ~4095
        if length > 0 && mms[mm]!.vmas.lookup(start) != nil { splitHugePagesAtEnds(mm: mm, start..<(start &+ length)) }
        do throws(VMAError) {
            try mms[mm]!.vmas.mprotect(start, length: length, to: protection)
        } catch {
            throw .errno(error)
        }
        changeProtection(mm: mm, start..<(start + length))
        syncVMAObjects(mm)
        check()
    }

    /// `exit_group`: every thread of the process exits, the address space is torn down
    /// (`exit_mmap`), the tasks' objects freed.
    /// - Complexity: O(pages and tables of the address space).
    public mutating func exit(_ pid: Int) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        endThreadGroup(of: t, state: .exited, signal: nil)
        check()
    }

    /// `pthread_exit` → `do_exit` of one thread: the others go on in the address space; the CPU
    /// it ran on keeps the address space loaded in lazy TLB mode (`enter_lazy_tlb`). The last
    /// thread's exit is the process's.
    /// - Complexity: O(1), or as `exit` for the last thread.
    public mutating func exitThread(_ pid: Int) throws(KernelError) {
        let t = try running(pid)
        let mm = tasks[t].mm
        guard mms[mm]!.users > 1 else { return try exit(pid) }
        tasks[t].state = .exited
        release(task: t)
        let c = tasks[t].cpu
        if cpus[c].currentMM == mm && !tasks.contains(where: { $0.state == .running && $0.cpu == c && $0.mm == mm }) {
            cpus[c].enterLazy()
        }
        check()
    }

    /// Every running thread of task `t`'s process ends (exit_group, a fatal signal, the OOM
    /// killer), `t` first.
    mutating func endThreadGroup(of t: Int, state: TaskState, signal: KillSignal?) {
        let g = tasks[t].tgid
        for i in [t] + tasks.indices.filter({ $0 != t && tasks[$0].tgid == g && tasks[$0].state == .running }) {
            tasks[i].state = state
            tasks[i].signal = signal
            release(task: i)
        }
    }

    /// Frees what task `t` holds: its task_struct, and its address space when it was the last
    /// task using it.
    mutating func release(task t: Int) {
        let mm = tasks[t].mm
        tasks[t].finalRSS = mms[mm]?.rss ?? 0
        if let o = taskObjects[t] {
            slabFree(o, memcg: tasks[t].memcg)
            taskObjects[t] = nil
        }
        guard mms[mm] != nil else { return }
        mms[mm]!.users -= 1
        if mms[mm]!.users == 0 { exitMMap(mm) }
    }

    /// `exit_mmap`: every page and swap entry released, the page table freed, the mm's objects freed.
    mutating func exitMMap(_ mm: Int) {
        guard mms[mm] != nil else { return }
        let mappedFiles = Set(mms[mm]!.vmas.vmas.compactMap(\.file))
        zapRange(mm: mm, 0..<(UInt64(1) << UInt64(config.format.virtualBits - 1)))
        for c in cpus.indices {
            cpus[c].forget(contextID: mms[mm]!.contextID)
            if cpus[c].currentMM == mm { cpus[c].leaveLazy() }
        }
        // The remaining tables (the root and any left on the way) go back to the buddy allocator.
        var table = mms[mm]!.table
        table.freeAll(memory: &memory)
        let g = memcg(ofMM: mm)
        for o in mmObjects[mm] { slabFree(o, memcg: g) }
        mmObjects[mm] = []
        let family = Int(mms[mm]!.anonVma)
        anonVmaMembers[family].removeAll { $0 == mm }
        mms[mm] = nil
        releaseUnmappedShmem(mappedFiles)
    }

    mutating func updateHiwaterVM(_ mm: Int) {
        let vm = mms[mm]!.totalVM
        if vm > mms[mm]!.hiwaterVM { mms[mm]!.hiwaterVM = vm }
    }

    mutating func updateHiwaterRSS(_ mm: Int) {
        let rss = mms[mm]!.rss
        if rss > mms[mm]!.hiwaterRSS { mms[mm]!.hiwaterRSS = rss }
    }

    // MARK: Accesses

    /// One access by `pid` at `address`: through its CPU's TLBs and page walk, faulting as the
    /// kernel does (`handle_mm_fault`) until it completes or the task dies. A read checks the
    /// page's content against what was last written there.
    /// - Throws: `KernelError` only for an unknown or dead process.
    /// - Complexity: O(TLB ways) on a TLB hit; O(levels) per fault, plus any reclaim it triggers.
    @discardableResult
    public mutating func access(_ pid: Int, _ address: UInt64, _ kind: AccessKind) throws(KernelError) -> AccessOutcome {
        let t = try running(pid)
        return accessTask(t, address, kind)
    }

    /// `access` for each page of `[address, address + length)`, `step` bytes apart. Stops when
    /// the task dies.
    /// - Complexity: as `access`, per page.
    @discardableResult
    public mutating func touch(_ pid: Int, _ address: UInt64, length: UInt64, _ kind: AccessKind,
                               step: UInt64 = 4096) throws(KernelError) -> AccessOutcome {
        let t = try running(pid)
        var a = address
        let end = address &+ length
        while a < end {
            let r = accessTask(t, a, kind)
            if r != .done { return r }
            a &+= max(step, 1)
        }
        return .done
    }

    /// The hot path: translate, fault, retry, verify.
    mutating func accessTask(_ t: Int, _ address: UInt64, _ kind: AccessKind) -> AccessOutcome {
        let mm = tasks[t].mm
        enter(t)
        let intent = AccessIntent(kind)
        var faults = 0
        while true {
            let r = cpus[currentCPU].translate(address, intent, in: &mms[mm]!.table)
            if r.succeeded {
                if guestTouches != nil { noteGuestTouch(r.physical >> 12, write: kind == .store) }
                if kind == .store {
                    recordWrite(t: t, mm: mm, address: address, pfn: Int(r.physical >> 12))
                } else {
                    verifyRead(mm: mm, address: address, pfn: Int(r.physical >> 12))
                }
                return .done
            }
            faults += 1
            switch handleMMFault(t: t, address: address, kind: kind, walk: r) {
            case .retry:
                if tasks[t].state != .running { return .killed(tasks[t].signal ?? .oomKill) }
                if faults > 8 { fatalError("kernel model: a fault at \(address) did not resolve") }
            case .killed(let signal):
                return .killed(signal)
            }
        }
    }

    /// Records a guest-physical page the guest touched, for the host to back.
    mutating func noteGuestTouch(_ pfn: UInt64, write: Bool) {
        if let i = guestTouchIndex[pfn] {
            if write { guestTouches![i] |= 1 }
            return
        }
        guestTouchIndex[pfn] = guestTouches!.count
        guestTouches!.append(pfn << 1 | (write ? 1 : 0))
    }

    /// Makes this machine a guest whose touches the host follows (`guestTouches`), or not.
    /// - Complexity: O(1).
    public mutating func recordGuestTouches(_ on: Bool) { guestTouches = on ? [] : nil }

    /// The guest-physical pages touched since the last call, and forgets them.
    /// - Complexity: O(1).
    public mutating func takeGuestTouches() -> [UInt64] {
        guard let t = guestTouches else { return [] }
        guestTouches = []
        guestTouchIndex.removeAll(keepingCapacity: true)
        return t
    }

    /// Task `t` runs: the current CPU becomes its CPU, which switches to its address space.
    mutating func enter(_ t: Int) {
        currentCPU = tasks[t].cpu
        memory.cpu = currentCPU
        memory.chargeGroup = tasks[t].memcg
        switchTo(tasks[t].mm)
    }

    /// Switches the current CPU to address space `mm` (`switch_mm_irqs_off`): the CPU leaves the
    /// previous address space's `mm_cpumask` and joins the new one's; the PCID slot is chosen
    /// (`choose_new_asid`) and flushed when it missed flushes.
    mutating func switchTo(_ mm: Int) {
        let c = currentCPU
        if cpus[currentCPU].currentMM != mm {
            let prev = cpus[currentCPU].currentMM
            if prev >= 0, mms.indices.contains(prev), mms[prev] != nil { mms[prev]!.cpumask &= ~(UInt64(1) << UInt64(c)) }
            cpus[currentCPU].currentMM = mm
            mms[mm]!.cpumask |= UInt64(1) << UInt64(c)
            cpus[currentCPU].load(contextID: mms[mm]!.contextID, tlbGen: mms[mm]!.tlbGen)
        } else if cpus[currentCPU].isLazy {
            cpus[currentCPU].load(contextID: mms[mm]!.contextID, tlbGen: mms[mm]!.tlbGen)
        }
    }

    /// A store: the page now holds a new token, and so does the shadow copy.
    mutating func recordWrite(t: Int, mm: Int, address: UInt64, pfn: Int) {
        writeClock &+= 1
        let token = fillToken ?? (UInt64(tasks[t].pid) << 48 | writeClock)
        frames[pfn].content = token
        if frames[pfn].file >= 0 {
            files[Int(frames[pfn].file)].shadow.set(frames[pfn].index, token)
        } else {
            mms[mm]!.shadow.set(address >> 12, token)
        }
    }

    /// A load: the page must hold what the shadow copy says was written there last.
    mutating func verifyRead(mm: Int, address: UInt64, pfn: Int) {
        pagesVerified &+= 1
        let expected: UInt64
        if frames[pfn].file >= 0 {
            expected = files[Int(frames[pfn].file)].expected(frames[pfn].index)
        } else {
            let v = mms[mm]!.shadow.find(address >> 12)
            expected = v == .max ? 0 : v
        }
        if frames[pfn].content != expected { mismatches &+= 1 }
    }

    /// With `config.checkInvariants`, stops when an invariant is broken.
    func check() {
        guard config.checkInvariants else { return }
        let problems = checkInvariants()
        precondition(problems.isEmpty, "kernel invariants broken: \(problems)")
    }
}

/// The kernel's view of physical memory: the buddy allocator, through which page tables take
/// their pages (`pagetable_alloc`, unmovable) and are counted (`NR_PAGETABLE`).
public struct KernelMemory: FrameSource, Sendable {
    /// The buddy allocator with its zones, watermarks and per-CPU lists.
    public internal(set) var phys: PhysicalMemory
    /// Page-table pages in use, over every address space.
    public internal(set) var pageTablePages = 0
    /// The CPU whose per-CPU lists allocations and frees use (the current one).
    var cpu = 0
    /// The memory cgroups and their counters.
    public internal(set) var memcg: MemoryController
    /// The cgroup page tables are charged to now (the current task's), and each page-table
    /// page's cgroup (empty until a cgroup exists).
    var chargeGroup = 0
    var tableOwner: ContiguousArray<UInt16> = []
    init(phys: PhysicalMemory, cpus: Int) {
        self.phys = phys
        memcg = MemoryController(cpus: cpus)
    }
    /// 4 KiB frames.
    public var frameSize: PageSize { .base4K }
    /// A page-table page, or nil when none is free above the min watermark; charged to the
    /// current cgroup (`GFP_PGTABLE_USER` has `__GFP_ACCOUNT`; without reclaim here).
    /// - Complexity: as `PhysicalMemory.allocPages`.
    public mutating func allocate(order: Int) -> FrameNumber? {
        guard let pfn = phys.allocPages(order: order, migratetype: .unmovable, cpu: cpu) else { return nil }
        pageTablePages += 1 << order
        if chargeGroup != 0 && pfn < tableOwner.count {
            memcg.forceCharge(chargeGroup, 1 << order)
            memcg.cgroups[chargeGroup].pageTables += 1 << order
            tableOwner[pfn] = UInt16(chargeGroup)
        }
        return FrameNumber(UInt64(pfn))
    }
    /// Frees a page-table page, uncharging its cgroup.
    /// - Complexity: as `PhysicalMemory.freePages`.
    public mutating func free(_ frame: FrameNumber, order: Int) {
        let pfn = Int(frame.rawValue)
        if pfn < tableOwner.count, tableOwner[pfn] != 0 {
            let g = Int(tableOwner[pfn])
            memcg.uncharge(g, 1 << order)
            memcg.cgroups[g].pageTables -= 1 << order
            tableOwner[pfn] = 0
        }
        if phys.freePages(pfn: pfn, cpu: cpu) { pageTablePages -= 1 << order }
    }
}

/// One CPU of the machine: its `CPU` (TLBs, walk caches), the address space it runs, and the
/// PCIDs it has handed out (`cpu_tlbstate.ctxs`, TLB_NR_DYN_ASIDS = 6 per CPU, as
/// arch/x86/mm/tlb.c's `choose_new_asid`).
public struct KernelCPU: Sendable {
    /// The translation hardware.
    public internal(set) var hw: CPU
    /// The address space loaded (index into `Machine.mms`), or -1.
    var currentMM = -1
    /// The context id of each dynamic ASID slot (0: unused) and the next slot to take.
    var asidContexts = [UInt64](repeating: 0, count: KernelCPU.dynamicASIDs)
    /// `cpu_tlbstate.ctxs[asid].tlb_gen`: the address space's flush generation each slot's
    /// entries are up to date with.
    var asidTLBGens = [UInt64](repeating: 0, count: KernelCPU.dynamicASIDs)
    /// `cpu_tlbstate_shared.is_lazy`: the task that ran here has gone; the address space stays
    /// loaded (lazy TLB mode) and remote flushes skip this CPU unless page tables are freed.
    public internal(set) var isLazy = false
    var nextASID = 0
    /// The slot of the loaded address space.
    var currentASID = 0
    /// `TLB_NR_DYN_ASIDS`.
    public static let dynamicASIDs = 6

    init(format: PageTableFormat, tlb: TLBSpec) {
        hw = CPU(format: format, tlb: tlb)
    }

    /// The PCID hardware sees for ASID slot `asid`: `kern_pcid(asid)` = asid + 1.
    var pcid: UInt16 { UInt16(currentASID + 1) }

    /// Translates through `table`, the loaded address space's.
    mutating func translate(_ address: UInt64, _ intent: AccessIntent, in table: inout RadixPageTable) -> WalkResult {
        hw.translate(address, intent, in: &table, pcid: pcid)
    }

    /// `switch_mm_irqs_off` → `choose_new_asid`: the slot already holding `contextID` (no flush),
    /// or the next slot round robin, whose old entries are flushed.
    /// `choose_new_asid`'s `need_flush`: a slot whose entries are older than the address space's
    /// `tlb_gen` (flushes it missed while it was not loaded or was lazy), or a slot taken over
    /// from another address space, is flushed by the CR3 write (traced, not counted in vmstat:
    /// `switch_mm_irqs_off` counts no `nr_tlb_local_flush_all`).
    mutating func load(contextID: UInt64, tlbGen: UInt64) {
        isLazy = false
        if let slot = asidContexts.firstIndex(of: contextID) {
            currentASID = slot
            if asidTLBGens[slot] < tlbGen {
                hw.flush(pcid: pcid)
                asidTLBGens[slot] = tlbGen
            }
            return
        }
        currentASID = nextASID
        nextASID = (nextASID + 1) % Self.dynamicASIDs
        asidContexts[currentASID] = contextID
        asidTLBGens[currentASID] = tlbGen
        hw.flush(pcid: pcid)
    }

    /// An address space is gone: its PCID slot is free and flushed lazily on reuse.
    mutating func forget(contextID: UInt64) {
        if let slot = asidContexts.firstIndex(of: contextID) {
            asidContexts[slot] = 0
            hw.flush(pcid: UInt16(slot + 1))
        }
    }

    /// `flush_tlb_func` on this CPU for address space `contextID` brought to flush generation
    /// `tlbGen`: single-page INVLPGs for up to `tlb_single_page_flush_ceiling` (33) pages when this
    /// is the only generation it missed, a full flush of the PCID otherwise. `local`: this CPU
    /// started the flush (only then are nr_tlb_local_flush_one / _all counted). A slot already up
    /// to date does nothing.
    mutating func flushRange(contextID: UInt64, pages: [UInt64], tlbGen: UInt64, local: Bool, vmstat: inout VMStat) {
        guard let slot = asidContexts.firstIndex(of: contextID), !pages.isEmpty, asidTLBGens[slot] < tlbGen else { return }
        let pcid = UInt16(slot + 1)
        if pages.count > Machine.tlbSinglePageFlushCeiling || asidTLBGens[slot] + 1 < tlbGen {
            hw.flush(pcid: pcid)
            if local { vmstat.nrTLBLocalFlushAll += 1 }
        } else {
            for p in pages { hw.invalidate(p, pcid: pcid) }
            if local { vmstat.nrTLBLocalFlushOne += pages.count }
        }
        asidTLBGens[slot] = tlbGen
    }

    /// `enter_lazy_tlb`: the task that ran here is gone; its address space stays loaded.
    mutating func enterLazy() { isLazy = true }

    /// `switch_mm_irqs_off(NULL, &init_mm)`: the lazy address space is dropped.
    mutating func leaveLazy() {
        isLazy = false
        currentMM = -1
    }
}

extension Machine {
    /// `tlb_single_page_flush_ceiling`.
    public static let tlbSinglePageFlushCeiling = 33
}
