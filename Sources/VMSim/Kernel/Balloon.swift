/// The guest side of a virtio-balloon device (drivers/virtio/virtio_balloon.c): inflating takes
/// free pages from the guest's page allocator (`balloon_page_alloc`: movable, no reclaim) in
/// batches of VIRTIO_BALLOON_ARRAY_PFNS_MAX = 256 pages and hands their frame numbers to the host,
/// which drops its backing (`fill_balloon`); deflating gives pages back to the guest
/// (`leak_balloon`). With VIRTIO_BALLOON_F_DEFLATE_ON_OOM, the guest's OOM killer first deflates
/// VIRTIO_BALLOON_OOM_NR_PAGES = 256 pages (`virtio_balloon_oom_notify`) and kills nothing when
/// that freed some. The pages stay in MemTotal (deflate-on-oom balloons do not adjust the managed
/// page count). /proc/vmstat counts `balloon_inflate` and `balloon_deflate`.
extension Machine {
    /// `VIRTIO_BALLOON_ARRAY_PFNS_MAX` and `VIRTIO_BALLOON_OOM_NR_PAGES`.
    public static let balloonBatch = 256, balloonOOMPages = 256

    /// Pages in the balloon (`vb->num_pages`).
    public var balloonPages: Int { balloon.count }

    /// `fill_balloon` until the balloon holds `pages` more (or the allocator has no free page
    /// above its low watermark: a balloon never reclaims), batch by batch. Returns the frames
    /// taken, for the host to release.
    /// - Complexity: O(pages).
    public mutating func balloonInflate(pages: Int) -> [Int] {
        var taken: [Int] = []
        while taken.count < pages {
            let batch = min(Self.balloonBatch, pages - taken.count)
            var got = 0
            for _ in 0..<batch {
                let a = memory.phys.allocate(order: 0, migratetype: .movable, cpu: currentCPU)
                guard let pfn = a.pfn else { break }
                guard a.advice == .none else {
                    memory.phys.freePages(pfn: pfn, cpu: currentCPU)
                    break
                }
                balloon.append(pfn)
                taken.append(pfn)
                got += 1
            }
            vmstat.balloonInflate += got
            if got < batch { break }
        }
        return taken
    }

    /// `leak_balloon`: up to `pages` pages back to the guest's allocator, the last taken first.
    /// Returns the frames given back.
    /// - Complexity: O(pages).
    @discardableResult
    public mutating func balloonDeflate(pages: Int) -> [Int] {
        var freed: [Int] = []
        while freed.count < pages, let pfn = balloon.popLast() {
            memory.phys.freePages(pfn: pfn, cpu: currentCPU)
            freed.append(pfn)
        }
        vmstat.balloonDeflate += freed.count
        return freed
    }

    /// `virtio_balloon_oom_notify`: the OOM killer asks the balloon first. True when it freed pages.
    mutating func balloonOOMNotify() -> Bool {
        !balloonDeflate(pages: Self.balloonOOMPages).isEmpty
    }
}
