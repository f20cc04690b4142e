import VMSim
import VMTrace

/// A virtual machine inside a workload (`vm G memory=64M`): a guest kernel of its own (a `Machine`
/// driven by a `WorkloadRunner` of its own, so `G process P`, `G P touch m 0 1M write` and
/// `G show meminfo` are the host's commands run in the guest) whose guest-physical memory is the
/// anonymous mapping of a host process named after it (what a VMM such as QEMU maps). Every
/// guest-physical page the guest's accesses touched during a line is touched once in that mapping
/// after the line runs, written if the guest wrote it (a first touch is the EPT violation the
/// host's fault handler serves), so host reclaim and swap apply to guest memory; `G balloon SIZE` inflates or deflates the guest's virtio
/// balloon and the host drops the backing of inflated pages (MADV_DONTNEED, as QEMU's balloon
/// does). Pages the guest wrote hold the guest's content in the host too, and guest memory is
/// MADV_MERGEABLE (QEMU's default mem-merge=on), so the host's `ksm run` merges identical pages
/// across guests, and a guest's later write un-merges its page by copy-on-write in the host.
struct GuestVM {
    var runner: WorkloadRunner
    /// The host process that holds the guest's memory, and where its mapping starts.
    let hostPid: Int
    let base: UInt64
    let bytes: UInt64

    /// The guest's report, for the host's.
    func report() throws(TraceError) -> RunReport {
        var r = runner
        return try r.finish()
    }
}

extension WorkloadRunner {
    /// `vm NAME memory=SIZE [arch=F] [cpus=N] [host-pages=4K|2M]`.
    mutating func createVM(_ words: [String], line: Int) throws(LineError) {
        guard !isGuest else { throw LineError(message: "a guest cannot run virtual machines of its own") }
        guard words.count >= 2 else { throw LineError(message: "vm needs a name and memory=SIZE") }
        let name = words[1]
        guard name.first?.isLetter == true, !name.contains("."), !Self.reservedNames.contains(name) else {
            throw LineError(message: "'\(name)' cannot name a vm: begin with a letter, no '.', and avoid command names")
        }
        guard pids[name] == nil, guests[name] == nil else { throw LineError(message: "\(name) names a process or vm already") }
        var guest = MachineConfig(), memorySet = false, hugeHost = false
        for w in words.dropFirst(2) {
            guard let eq = w.firstIndex(of: "=") else { throw LineError(message: "'\(w)' is not KEY=VALUE") }
            let key = String(w[..<eq]), value = String(w[w.index(after: eq)...])
            if key == "memory" { memorySet = true }
            if try Self.kernelSetting(key, value, into: &guest) { continue }
            switch key {
            case "host-pages":
                guard value == "4K" || value == "2M" else { throw LineError(message: "host-pages=\(value): give 4K or 2M") }
                hugeHost = value == "2M"
            default:
                throw LineError(message: "unknown vm setting '\(key)' (memory, arch, cpus, host-pages)")
            }
        }
        guard memorySet else { throw LineError(message: "vm \(name) needs memory=SIZE") }
        let bytes = guest.memory
        var m = try booted(line: line)
        machine = nil
        defer { machine = m }
        let pid: Int, base: UInt64
        do throws(KernelError) {
            pid = try m.createProcess(name: name)
            base = try m.mmap(pid, length: bytes, protection: [.read, .write], shared: false, name: "guest-memory")
            if hugeHost { try m.madvise(pid, base, length: bytes, .hugepage) }
            // QEMU's mem-merge=on (its default): guest memory is MADV_MERGEABLE for the host's KSM.
            try m.madvise(pid, base, length: bytes, .mergeable)
        } catch {
            throw LineError(message: "vm \(name): the host cannot hold it: \(error)")
        }
        pids[name] = pid
        mappings[pid] = ["guest-memory": (base, bytes)]
        var runner = WorkloadRunner(file: file, directory: directory, swapPath: nil, checkInvariants: checkInvariants)
        runner.isGuest = true
        runner.config = guest
        runner.machineLine = line
        var booted = try runner.booted(line: line)
        booted.recordGuestTouches(true)
        runner.machine = booted
        guests[name] = GuestVM(runner: runner, hostPid: pid, base: base, bytes: bytes)
    }

    /// A line for guest `name`: run in the guest, its events prefixed, then its memory touches
    /// followed on the host.
    mutating func guestLine(_ words: [String], line: Int) throws(LineError) {
        let name = words[0]
        var vm = guests.removeValue(forKey: name)!
        defer { guests[name] = vm }
        var m = try booted(line: line)
        machine = nil
        defer { machine = m }
        guard m.task(vm.hostPid).state == .running else {
            events.append(.init(line: line, kind: "skipped", text: "\(name): skipped, the host killed vm \(name)'s process\n"))
            return
        }
        guard words.count >= 2 else { throw LineError(message: "'\(name)' needs a command for the guest (process, show, balloon, or a guest process's command)") }
        let before = vm.runner.events.count
        if words[1] == "balloon" {
            guard words.count == 3 else { throw LineError(message: "balloon needs the balloon's size (balloon 16M, balloon 0)") }
            let target = Int(try Self.size(words[2], "balloon size") >> 12)
            var g = vm.runner.machine!
            let current = g.balloonPages
            if target > current {
                let taken = g.balloonInflate(pages: target - current)
                releaseBacking(&m, vm: vm, pfns: taken)
                events.append(.init(line: line, kind: "note", text: "\(name) balloon: inflated by \(taken.count) pages to \(g.balloonPages) (\(ByteSize.format(UInt64(g.balloonPages) << 12)))\n"))
            } else if target < current {
                let freed = g.balloonDeflate(pages: current - target)
                events.append(.init(line: line, kind: "note", text: "\(name) balloon: deflated by \(freed.count) pages to \(g.balloonPages) (\(ByteSize.format(UInt64(g.balloonPages) << 12)))\n"))
            }
            vm.runner.machine = g
            return
        }
        do throws(LineError) {
            try vm.runner.execute(Array(words.dropFirst()), line: line)
        } catch {
            throw LineError(message: "\(name): \(error.message)")
        }
        for e in vm.runner.events[before...] {
            events.append(.init(line: e.line, kind: e.kind, text: e.text.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { $0.offset == 0 ? "\(name): \($0.element)" : String($0.element) }.joined(separator: "\n")))
        }
        // The host follows the guest's touches into the VM process's mapping.
        let touches = vm.runner.machine?.takeGuestTouches() ?? []
        let killed = m.oomVictims.count
        let guest = vm.runner.machine!
        for t in touches {
            let address = vm.base + ((t >> 1) << 12)
            do throws(KernelError) {
                // A written page holds in the host what the guest wrote (so host KSM can compare
                // guests' pages).
                let outcome = t & 1 == 1 ? try m.store(vm.hostPid, address, content: guest.content(ofFrame: Int(t >> 1)))
                                         : try m.access(vm.hostPid, address, .load)
                guard outcome == .done else { break }
            } catch { break }
        }
        noteKills(m, since: killed, line: line)
    }

    /// The host drops the backing of balloon pages (`MADV_DONTNEED` on runs of them).
    func releaseBacking(_ m: inout Machine, vm: GuestVM, pfns: [Int]) {
        var i = 0
        let sorted = pfns.sorted()
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            try? m.madvise(vm.hostPid, vm.base + UInt64(sorted[i]) << 12, length: UInt64(j - i + 1) << 12, .dontneed)
            i = j + 1
        }
    }
}
