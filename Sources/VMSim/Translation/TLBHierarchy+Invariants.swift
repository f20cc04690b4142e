extension TLBHierarchy: InvariantChecking {
    /// Checks every array: its count of valid entries, and for each valid entry that its page
    /// size is one the array holds, that it sits in the set its page number selects, that its
    /// frame is aligned to its page size, that its LRU stamp is not in the future, and that no
    /// other entry of the set has the same tag and address space.
    /// - Complexity: O(entries × ways).
    public func checkInvariants() -> [String] {
        var v = Violations()
        for (a, array) in arrays.enumerated() {
            let entries = Int(array.setMask + 1) * array.ways
            var valid = 0
            for slot in array.base..<(array.base + entries) {
                let e = pool[slot]
                if e.tag == Self.invalidTag { continue }
                valid += 1
                let shift = e.tag & 63, vpn = e.tag >> 6
                v.check(array.shifts & (UInt64(1) << shift) != 0, "TLB array \(a): entry \(slot) holds a 2^\(shift) page the array does not hold")
                let set = (slot - array.base) / array.ways
                v.check(Int(vpn & array.setMask) == set, "TLB array \(a): entry \(slot) is in set \(set), its page number selects \(vpn & array.setMask)")
                v.check(e.frame & ((UInt64(1) << shift) &- 1) == 0, "TLB array \(a): entry \(slot)'s frame is not aligned to its page")
                v.check(e.stamp <= clock, "TLB array \(a): entry \(slot)'s stamp \(e.stamp) is after the clock \(clock)")
                let first = array.base + set * array.ways
                for other in first..<slot where pool[other].tag == e.tag && pool[other].asid == e.asid {
                    v.report("TLB array \(a): entries \(other) and \(slot) translate the same page for ASID \(e.asid)")
                }
            }
            v.check(valid == array.valid, "TLB array \(a): \(valid) valid entries, but the array counts \(array.valid)")
        }
        return v.all
    }
}
