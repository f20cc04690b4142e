extension SlabAllocator: InvariantChecking {
    /// Checks every cache and slab: a live slab's objects are its free ones plus those in use,
    /// its free objects are distinct and in range, it is on its cache's partial list exactly when
    /// it has a free object (SLUB takes full slabs off the list), and the partial list is well
    /// linked and counted; each cache's `nr_slabs`, total and active objects are its slabs'; and
    /// the slab pages are those of the live slabs.
    /// - Complexity: O(slabs × objects per slab).
    public func checkInvariants() -> [String] {
        var v = Violations()
        var slabsOf = [Int](repeating: 0, count: caches.count)
        var objectsOf = [Int](repeating: 0, count: caches.count)
        var activeOf = [Int](repeating: 0, count: caches.count)
        var pages = 0
        for (i, s) in slabs.enumerated() where s.live {
            guard s.cache >= 0 && s.cache < caches.count else { v.report("slab \(i) belongs to no cache"); continue }
            let name = caches[s.cache].name
            slabsOf[s.cache] += 1
            objectsOf[s.cache] += s.objects
            activeOf[s.cache] += s.inuse
            pages += 1 << s.order
            v.check(s.inuse >= 0 && s.inuse + s.freeObjects.count == s.objects,
                    "\(name) slab \(i): \(s.inuse) in use and \(s.freeObjects.count) free of \(s.objects) objects")
            v.check(Set(s.freeObjects).count == s.freeObjects.count && s.freeObjects.allSatisfy { Int($0) < s.objects },
                    "\(name) slab \(i): its free objects repeat or are out of range")
            v.check(s.onPartial == (s.inuse < s.objects),
                    "\(name) slab \(i): \(s.onPartial ? "on" : "off") the partial list with \(s.inuse) of \(s.objects) objects in use")
        }
        for (c, cache) in caches.enumerated() {
            if let problem = slabs.linkProblem(cache.partial, visit: { s in
                let slab = slabs[Int(s)]
                return slab.live && slab.onPartial && slab.cache == c ? nil : "slab \(s) does not belong there"
            }) {
                v.report("\(cache.name) partial list: \(problem)")
            }
            let marked = slabs.lazy.filter { $0.live && $0.onPartial && $0.cache == c }.count
            v.check(cache.partial.count == marked, "\(cache.name): nr_partial is \(cache.partial.count), but \(marked) slabs are marked partial")
            v.check(slabsOf[c] == cache.nrSlabs, "\(cache.name): \(slabsOf[c]) slabs, but nr_slabs is \(cache.nrSlabs)")
            v.check(objectsOf[c] == cache.totalObjects, "\(cache.name): \(objectsOf[c]) objects, but total_objects is \(cache.totalObjects)")
            v.check(activeOf[c] == cache.activeObjects, "\(cache.name): \(activeOf[c]) objects in use, but active_objs is \(cache.activeObjects)")
        }
        v.check(pages == slabPages, "\(pages) pages in live slabs, but the allocator counts \(slabPages)")
        return v.all
    }
}
