extension RadixPageTable: InvariantChecking {
    /// Checks the table tree: every table in use is reached exactly once from the root, at its
    /// own level, through a present non-leaf entry; each table's count of present entries is
    /// right; `tableOfFrame` names each table's frame; no entry of the last level is a table
    /// pointer; and the counts (`tablePages`, `tablesPerLevel`, `leavesPerLevel`) are the tree's.
    /// - Complexity: O(tables × entries per table).
    public func checkInvariants() -> [String] {
        var v = Violations()
        var reached = [Int](repeating: 0, count: tables.count)
        var tableCount = [Int](repeating: 0, count: levels.count)
        var leafCount = [Int](repeating: 0, count: levels.count)
        var pages = 0
        var stack: [Int32] = [root]
        reached[Int(root)] = 1
        while let id = stack.popLast() {
            let t = tables[Int(id)]
            let level = Int(t.level)
            let l = levels[level]
            tableCount[level] += 1
            pages += 1 << l.framesOrder
            v.check(Int(t.frame) < tableOfFrame.count && tableOfFrame[Int(t.frame)] == id,
                    "page table \(id) (level \(level)): its frame \(t.frame) does not map back to it")
            var present = 0
            for i in 0..<l.entries {
                let e = pool[t.base + i]
                guard e != 0 else { continue }
                present += 1
                guard e & bits.present != 0 else {
                    v.check(level == levels.count - 1, "page table \(id) entry \(i): a non-present entry (a swap entry) above the last level")
                    continue
                }
                if e & bits.leaf != 0 || level == levels.count - 1 {
                    leafCount[level] += 1
                    continue
                }
                let frame = Int(bits.physicalAddress(e) >> UInt64(format.basePage.shift))
                guard frame < tableOfFrame.count, tableOfFrame[frame] >= 0 else {
                    v.report("page table \(id) entry \(i) points to frame \(frame), which holds no table")
                    continue
                }
                let child = tableOfFrame[frame]
                v.check(Int(tables[Int(child)].level) == level + 1,
                        "page table \(id) entry \(i) points to table \(child) of level \(tables[Int(child)].level), not \(level + 1)")
                reached[Int(child)] += 1
                if reached[Int(child)] == 1 { stack.append(child) } else {
                    v.report("page table \(child) is reached \(reached[Int(child)]) times")
                }
            }
            v.check(present == Int(t.present), "page table \(id): \(present) entries in use, but it counts \(t.present)")
        }
        let freed = Set(freeTables.joined())
        for id in tables.indices where reached[id] == 0 && !freed.contains(Int32(id)) {
            v.report("page table \(id) is neither reachable from the root nor free")
        }
        for id in freed where reached[Int(id)] != 0 { v.report("page table \(id) is free but still reachable") }
        v.check(pages == tablePages, "\(pages) table pages in the tree, but the table counts \(tablePages)")
        v.check(tableCount == tablesPerLevel, "tables per level \(tableCount), but counted \(tablesPerLevel)")
        v.check(leafCount == leavesPerLevel, "leaves per level \(leafCount), but counted \(leavesPerLevel)")
        return v.all
    }
}
