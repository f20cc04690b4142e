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
    public func oomBadness(_ pid: Int, totalPages: Int? = nil) -> Int? {
        let task = tasks[pid - 1]
        guard task.state == .running, let mm = mms[task.mm], task.oomScoreAdj != -1000 else { return nil }
        let points = mm.rss + mm.swapEntries + mm.table.tablePagesBelowRoot
        return points + task.oomScoreAdj * ((totalPages ?? oomTotalPages) / 1000)
    }

    /// `/proc/PID/oom_score`: (1000 + badness × 1000 / totalpages) × 2 / 3, 0 for an unkillable task.
    /// - Complexity: O(1).
    public func oomScore(_ pid: Int) -> Int {
        guard let badness = oomBadness(pid) else { return 0 }
        return (1000 + badness * 1000 / oomTotalPages) * 2 / 3
    }

    /// `out_of_memory`: kills the process with the highest badness (`select_bad_process` visits
    /// each process once, through its first running thread; ties go to the later process, as
    /// `oom_evaluate_task` takes a score equal to the chosen one), all its threads. For a cgroup's
    /// OOM (`memcg` not the root: `mem_cgroup_out_of_memory`) only the tasks of its subtree are
    /// candidates (`mem_cgroup_scan_tasks`, cgroup by cgroup) and totalpages is the cgroup's
    /// `mem_cgroup_get_max`. With memory.oom.group set on the victim's cgroup or an ancestor up
    /// to the OOM's domain, every task of the highest such cgroup dies too
    /// (`mem_cgroup_get_oom_group`, an oom_group_kill event). False when no task can be killed.
    mutating func outOfMemory(memcg: Int = 0) -> Bool {
        // out_of_memory's oom_notify_list: a balloon that deflates spares every task.
        if memcg == 0 && !balloon.isEmpty && balloonOOMNotify() { return true }
        let total = memcg == 0 ? oomTotalPages : memcgMaxPages(memcg)
        var chosen: Int?, chosenPoints = Int.min
        var seen = Set<Int>()
        let order: [Int]
        if memcg == 0 {
            order = Array(tasks.indices)
        } else {
            let groups = memory.memcg.subtree(memcg)
            order = groups.flatMap { g in tasks.indices.filter { tasks[$0].memcg == g } }
        }
        for t in order where tasks[t].state == .running && seen.insert(tasks[t].tgid).inserted {
            guard let points = oomBadness(tasks[t].pid, totalPages: total), points >= chosenPoints else { continue }
            chosen = tasks[t].pid
            chosenPoints = points
        }
        guard let victim = chosen else { return false }
        let message = memcg == 0 ? "Out of memory" : "Memory cgroup out of memory"
        let victimGroup = tasks[victim - 1].memcg
        oomKill(victim - 1, message: message)
        // mem_cgroup_get_oom_group: the highest cgroup with memory.oom.group from the victim's up
        // to the OOM's domain.
        var oomGroup: Int?
        if victimGroup != 0 {
            for c in memory.memcg.ancestry(victimGroup) {
                if c != 0 && memory.memcg.cgroups[c].oomGroup { oomGroup = c }
                if c == memcg { break }
            }
        }
        if let g = oomGroup {
            memory.memcg.event(g, .oomGroupKill)
            let members = Set(memory.memcg.subtree(g))
            for t in tasks.indices where members.contains(tasks[t].memcg) && tasks[t].state == .running
                && tasks[t].tgid == tasks[t].pid && tasks[t].oomScoreAdj != -1000 {
                oomKill(t, message: message)
            }
        }
        return true
    }

    /// `__oom_kill_process`: the log line, an oom_kill in /proc/vmstat and in the memory.events of
    /// the victim's cgroup (`memcg_memory_event_mm`), SIGKILL to every thread, the memory freed.
    mutating func oomKill(_ t: Int, message: String) {
        vmstat.oomKill += 1
        memory.memcg.event(memcg(ofMM: tasks[t].mm), .oomKill)
        let victim = tasks[t].pid
        if let mm = mms[tasks[t].mm] {
            tasks[t].oomKillMessage = "\(message): Killed process \(victim) (\(tasks[t].name)) total-vm:\(mm.totalVM * 4)kB, "
                + "anon-rss:\(mm.anonPages * 4)kB, file-rss:\(mm.filePages * 4)kB, shmem-rss:\(mm.shmemPages * 4)kB, UID:0 "
                + "pgtables:\(mm.table.tablePagesBelowRoot * 4)kB oom_score_adj:\(tasks[t].oomScoreAdj)"
        }
        oomVictims.append(victim)
        endThreadGroup(of: t, state: .killed, signal: .oomKill)
    }
}
