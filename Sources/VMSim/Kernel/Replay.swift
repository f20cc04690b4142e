/// A recorded program's accesses run inside a process (`A replay app.lackey`): each access goes
/// through `Machine.access` page by page (a Lackey `M` is a load and a store); an address outside
/// every VMA is mapped on first touch (by the fault handler, so the hot path looks up no VMA) as anonymous read-write-execute memory named `[replay]`
/// (adjacent pages merge into one VMA), since the recording does not say how the program mapped it;
/// a read of such a page takes a frame, as the page the program found there (its image, its
/// stack) was resident, where a read of fresh anonymous memory would map the zero page.
public struct ReplayStats: Hashable, Sendable {
    /// Records replayed, and page accesses made from them.
    public var records = 0, accesses = 0
    /// Pages mapped on first touch because no VMA covered them.
    public var pagesMappedOnTouch = 0
    /// Zero counts.
    /// - Complexity: O(1).
    public init() {}
}

extension Machine {
    /// Replays `batch` in task `pid`, adding to `stats`. Stops when the task dies.
    /// - Throws: `KernelError` for an unknown or dead process.
    /// - Complexity: O(records) accesses, each as `access`.
    @discardableResult
    public mutating func replay(_ pid: Int, _ batch: UnsafeBufferPointer<AddressAccess>, stats: inout ReplayStats) throws(KernelError) -> AccessOutcome {
        let t = try running(pid)
        replayMM = tasks[t].mm
        let mappedBefore = replayMappedPages
        defer {
            replayMM = -1
            stats.pagesMappedOnTouch += replayMappedPages - mappedBefore
        }
        for record in batch {
            stats.records += 1
            let first = record.address >> 12
            let last = (record.address &+ UInt64(max(record.size, 1)) &- 1) >> 12
            var page = first
            while page <= last {
                let address = page == first ? record.address : page << 12
                if record.kind == .modify {
                    let r = accessTask(t, address, .load)
                    if r != .done { return r }
                    stats.accesses += 1
                }
                let r = accessTask(t, address, record.kind.accessKind)
                if r != .done { return r }
                stats.accesses += 1
                page += 1
            }
        }
        return .done
    }

    /// The fault handler found no VMA at `address` while replaying in `mm`: maps its page.
    mutating func mapOnTouch(mm: Int, address: UInt64) -> VMA? {
        guard mm == replayMM, mapOnTouch(mm: mm, page: address & ~4095) else { return nil }
        replayMappedPages += 1
        return mms[mm]!.vmas.lookup(address)
    }

    /// Maps one page at `page` as `[replay]` anonymous memory.
    mutating func mapOnTouch(mm: Int, page: UInt64) -> Bool {
        guard config.format.isCanonical(page), page >= mms[mm]!.vmas.minAddress,
              page < (UInt64(1) << UInt64(config.format.virtualBits - 1)) else { return false }
        do throws(VMAError) {
            try mms[mm]!.vmas.mmap(at: page, length: 4096, flags: .mmap([.read, .write, .exec], shared: false), name: Machine.replayName)
        } catch {
            return false
        }
        syncVMAObjects(mm)
        updateHiwaterVM(mm)
        return true
    }
}

extension Machine {
    /// Maps the holes of `range` in `pid`'s address space as `[replay]` memory: what a recording's
    /// mprotect or mremap names but Valgrind mapped before tracing began. Returns the pages mapped.
    /// - Complexity: O(VMAs) per hole.
    @discardableResult
    public mutating func mapUntraced(_ pid: Int, _ range: Range<UInt64>) -> Int {
        guard let t = try? running(pid) else { return 0 }
        let mm = tasks[t].mm
        let start = range.lowerBound & ~4095, end = (range.upperBound + 4095) & ~4095
        var holes: [Range<UInt64>] = []
        var a = start
        var i = mms[mm]!.vmas.firstIndex(endingAfter: start)
        while a < end {
            let next = i < mms[mm]!.vmas.count ? mms[mm]!.vmas.vmas[i].start : UInt64.max
            if next > a { holes.append(a..<min(next, end)) }
            guard i < mms[mm]!.vmas.count else { break }
            a = max(a, mms[mm]!.vmas.vmas[i].end)
            i += 1
        }
        var mapped = 0
        for h in holes where config.format.isCanonical(h.lowerBound) && h.lowerBound >= mms[mm]!.vmas.minAddress
            && h.upperBound <= (UInt64(1) << UInt64(config.format.virtualBits - 1)) {
            do throws(VMAError) {
                try mms[mm]!.vmas.mmap(at: h.lowerBound, length: h.upperBound - h.lowerBound, flags: .mmap([.read, .write, .exec], shared: false), name: Machine.replayName)
                mapped += Int((h.upperBound - h.lowerBound) >> 12)
            } catch {}
        }
        if mapped > 0 {
            syncVMAObjects(mm)
            updateHiwaterVM(mm)
            replayMappedPages += mapped
        }
        return mapped
    }

    /// The name of the VMAs a replay maps on first touch.
    public static let replayName = "[replay]"
}

extension FaultResult {
    var asOutcome: AccessOutcome {
        switch self {
        case .retry: .done
        case .killed(let s): .killed(s)
        }
    }
}
