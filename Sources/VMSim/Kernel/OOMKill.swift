/// The OOM killer of mm/oom_kill.c: `out_of_memory` → `select_bad_process` scores every task with
/// an address space by `oom_badness` and kills the highest (`oom_kill_process`, SIGKILL); its
/// memory is freed at once (what the oom_reaper does). fs/proc/base.c's `proc_oom_score` scales
/// the same badness into /proc/PID/oom_score.
extension Machine {
    /// `totalpages` of `out_of_memory`: RAM plus swap, in pages.
    public var oomTotalPages: Int { memory.phys.totalPages + (swap?.totalPages ?? 0) }

    /// `oom_badness`: RSS + swap entries + page-table pages, plus oom_score_adj × totalpages / 1000;
    /// nil (LONG_MIN) for oom_score_adj -1000 or a task without an address space.
    /// - Complexity: O(1).
    public func oomBadness(_ pid: Int) -> Int? {
        let task = tasks[pid - 1]
        guard task.state == .running, let mm = mms[task.mm], task.oomScoreAdj != -1000 else { return nil }
        let points = mm.rss + mm.swapEntries + mm.table.tablePagesBelowRoot
        return points + task.oomScoreAdj * (oomTotalPages / 1000)
    }

    /// `/proc/PID/oom_score`: (1000 + badness × 1000 / totalpages) × 2 / 3, 0 for an unkillable task.
    /// - Complexity: O(1).
    public func oomScore(_ pid: Int) -> Int {
        guard let badness = oomBadness(pid) else { return 0 }
        return (1000 + badness * 1000 / oomTotalPages) * 2 / 3
    }

    /// `out_of_memory`: kills the process with the highest badness (`select_bad_process` visits
    /// each process once, through its first running thread; ties go to the later process, as
    /// `oom_evaluate_task` takes a score equal to the chosen one), all its threads. False when no
    /// task can be killed.
    mutating func outOfMemory() -> Bool {
        var chosen: Int?, chosenPoints = Int.min
        var seen = Set<Int>()
        for task in tasks where task.state == .running && seen.insert(task.tgid).inserted {
            guard let points = oomBadness(task.pid), points >= chosenPoints else { continue }
            chosen = task.pid
            chosenPoints = points
        }
        guard let victim = chosen else { return false }
        vmstat.oomKill += 1
        let t = victim - 1
        if let mm = mms[tasks[t].mm] {
            tasks[t].oomKillMessage = "Out of memory: Killed process \(victim) (\(tasks[t].name)) total-vm:\(mm.totalVM * 4)kB, "
                + "anon-rss:\(mm.anonPages * 4)kB, file-rss:\(mm.filePages * 4)kB, shmem-rss:\(mm.shmemPages * 4)kB, UID:0 "
                + "pgtables:\(mm.table.tablePagesBelowRoot * 4)kB oom_score_adj:\(tasks[t].oomScoreAdj)"
        }
        oomVictims.append(victim)
        endThreadGroup(of: t, state: .killed, signal: .oomKill)
        return true
    }
}
