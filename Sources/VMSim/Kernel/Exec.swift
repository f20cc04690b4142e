/// fs/exec.c's `execve` as it concerns memory: `begin_new_exec` → `de_thread` (the other threads
/// of the process exit) and `exec_mmap` (the task moves to a new, empty `mm_struct`; the old one is
/// dropped with `mmput`, torn down by `exit_mmap` when no other task used it), and
/// `load_elf_binary` setting `mm->start_brk = mm->brk` past the new image. The pid, the cgroup and
/// the counters stay, as they do across an exec.
extension Machine {
    /// `execve` in running task `pid`: a fresh address space whose heap starts at `startBrk`.
    /// - Throws: `.errno(.noMemory)` when no memory is left for the new page table or mm_struct;
    ///   `noSuchProcess` / `notRunning` for a bad `pid`.
    /// - Complexity: O(pages and tables of the old address space, when it is torn down).
    public mutating func exec(_ pid: Int, startBrk: UInt64 = Machine.startBrk) throws(KernelError) {
        let t = try running(pid)
        enter(t)
        let g = tasks[t].tgid
        for i in tasks.indices where i != t && tasks[i].tgid == g && tasks[i].state == .running {
            tasks[i].state = .exited
            release(task: i)
        }
        let old = tasks[t].mm
        let mm = try newMM(anonVma: nil, memcg: tasks[t].memcg)
        mms[mm]!.startBrk = startBrk
        mms[mm]!.brk = startBrk
        tasks[t].mm = mm
        mms[old]!.users -= 1
        if mms[old]!.users == 0 { exitMMap(old) }
        switchTo(mm)
        check()
    }

    /// Sets the heap's start (`mm->start_brk`, `mm->brk`) of a process whose heap is still
    /// empty: where the loader that ran it put the break (a recording's first `brk(0)`).
    /// - Throws: `.errno(.invalid)` once the heap has grown.
    /// - Complexity: O(1).
    public mutating func setBrkBase(_ pid: Int, _ address: UInt64) throws(KernelError) {
        let t = try running(pid)
        let mm = tasks[t].mm
        guard mms[mm]!.brk == mms[mm]!.startBrk else { throw .errno(.invalid("the heap has grown already")) }
        mms[mm]!.startBrk = address
        mms[mm]!.brk = address
    }
}
