/// `struct mm_struct`: an address space. Its VMAs, its own page table (whose table pages come
/// from the machine's `PhysicalMemory`), the RSS counters of `enum mm_counter` (MM_FILEPAGES,
/// MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES) and the shadow copy of every page's expected content.
public struct MMStruct: Sendable {
    /// The VMAs (`mm->mm_mt`).
    public internal(set) var vmas: VMATree
    /// The page table (`mm->pgd`).
    public internal(set) var table: RadixPageTable
    /// `mm->context.ctx_id`: a number no other address space ever gets (for PCID assignment).
    public let contextID: UInt64
    /// The anon_vma family this address space belongs to (shared with its fork parent and
    /// children), so that the reverse map finds every address space that may map an anonymous page.
    public internal(set) var anonVma: Int32
    /// `MM_ANONPAGES`, `MM_FILEPAGES`, `MM_SWAPENTS`, `MM_SHMEMPAGES`.
    public internal(set) var anonPages = 0, filePages = 0, swapEntries = 0, shmemPages = 0
    /// `hiwater_rss`, `hiwater_vm` in pages.
    public internal(set) var hiwaterRSS = 0, hiwaterVM = 0
    /// `mm->start_brk`, `mm->brk`.
    public internal(set) var startBrk: UInt64, brk: UInt64
    /// `mm_cpumask`: the CPUs that have this address space loaded (bit n: CPU n), the ones a TLB
    /// flush must reach.
    public internal(set) var cpumask: UInt64 = 0
    /// `mm->context.tlb_gen`: flushes of this address space so far.
    public internal(set) var tlbGen: UInt64 = 1
    /// Tasks (threads) using it (`mm_users`).
    public internal(set) var users = 1
    /// The memory cgroup its pages are charged to (`mm->owner`'s; 0: the root).
    public let memcg: Int
    /// The content token each virtual page should hold (absent: zero-filled), checked on reads.
    var shadow = PageMap<UInt64>(expectedCount: 64)

    init(vmas: VMATree, table: RadixPageTable, contextID: UInt64, anonVma: Int32, startBrk: UInt64, brk: UInt64, memcg: Int) {
        self.memcg = memcg
        self.vmas = vmas
        self.table = table
        self.contextID = contextID
        self.anonVma = anonVma
        self.startBrk = startBrk
        self.brk = brk
    }

    /// Resident pages (`get_mm_rss`).
    public var rss: Int { anonPages + filePages + shmemPages }
    /// `total_vm` in pages.
    /// - Complexity: O(VMAs).
    public var totalVM: Int { vmas.vmas.reduce(0) { $0 + Int($1.length >> 12) } }
}

/// Why a task stopped.
public enum TaskState: String, Hashable, Sendable {
    /// Runs.
    case running
    /// Called exit.
    case exited
    /// Killed by a signal (SIGSEGV or the OOM killer's SIGKILL).
    case killed
}

/// A signal that killed a task, with its `si_code`.
public enum KillSignal: Hashable, Sendable, CustomStringConvertible {
    /// SIGSEGV, SEGV_MAPERR: no VMA covers the address.
    case segvMapErr
    /// SIGSEGV, SEGV_ACCERR: the VMA forbids the access.
    case segvAccErr
    /// SIGKILL from the OOM killer.
    case oomKill
    /// SIGBUS, BUS_ADRERR: the swap file could not be read (`VM_FAULT_SIGBUS`).
    case sigbus

    /// `SIGSEGV` or `SIGKILL`.
    public var signal: String {
        switch self {
        case .oomKill: "SIGKILL"
        case .sigbus: "SIGBUS"
        case .segvMapErr, .segvAccErr: "SIGSEGV"
        }
    }
    /// `SEGV_MAPERR`, `SEGV_ACCERR` or `SI_KERNEL`.
    public var code: String {
        switch self {
        case .segvMapErr: "SEGV_MAPERR"
        case .segvAccErr: "SEGV_ACCERR"
        case .oomKill: "SI_KERNEL"
        case .sigbus: "BUS_ADRERR"
        }
    }
    public var description: String { "\(signal) (\(code))" }
}

/// `struct task_struct`: a process, its address space and its counters.
public struct TaskInfo: Sendable {
    /// The name the workload gave it (`comm`).
    public let name: String
    /// The process id.
    public let pid: Int
    /// Which `MMStruct` it runs in.
    public internal(set) var mm: Int
    /// The thread group (`tgid`): the pid of its process's first thread.
    public internal(set) var tgid: Int
    /// The CPU it runs on.
    public internal(set) var cpu = 0
    /// Its memory cgroup (0: the root).
    public internal(set) var memcg = 0
    /// Running, exited or killed.
    public internal(set) var state: TaskState = .running
    /// The signal that killed it, and the address of the fault that did.
    public internal(set) var signal: KillSignal?
    public internal(set) var faultAddress: UInt64?
    /// `signal->oom_score_adj`, -1000...1000.
    public internal(set) var oomScoreAdj: Int
    /// `min_flt`, `maj_flt`, and faults that copied a page (COW).
    public internal(set) var minorFaults = 0, majorFaults = 0, cowFaults = 0
    /// The resident set when the task died (its mm is gone then).
    public internal(set) var finalRSS = 0
    /// The OOM killer's line for this task, as `__oom_kill_process` prints it, if it chose it.
    public internal(set) var oomKillMessage: String?
    /// `memcg_nr_pages_over_high`: pages charged over a memory.high since the last return to user.
    var memcgPagesOverHigh = 0
}
