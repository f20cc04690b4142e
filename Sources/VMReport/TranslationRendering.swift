import VMSim

/// Renders `vmsim translate` results: explanations of walks and trace-run reports, as text or JSON.
public enum TranslationRendering {
    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    static func accessName(_ intent: AccessIntent) -> String {
        let kind: String
        switch intent.kind {
        case .load: kind = "read"
        case .store: kind = "write"
        case .instruction: kind = "fetch"
        }
        return kind + (intent.user ? ", user" : ", supervisor")
    }

    /// A one-line description of the format.
    public static func formatLine(_ f: PageTableFormat) -> String {
        let split = f.levels.map { String($0.indexBits) }.joined(separator: "/") + "/\(f.basePage.shift)"
        return "\(f.name): \(f.levels.count)-level, \(split) split, \(f.virtualBits)-bit virtual and \(f.physicalBits)-bit physical addresses, "
            + "\(f.entryBytes)-byte entries, pages \(f.pageSizes.map(\.description).joined(separator: "/"))"
    }

    /// Why a translation failed, in a sentence, with the exception the hardware raises.
    public static func faultExplanation(_ e: ExplainedTranslation, format f: PageTableFormat) -> String {
        let r = e.result
        let level = Int(r.level) < f.levels.count ? f.levels[Int(r.level)] : f.levels[0]
        let why: String
        switch r.fault {
        case .none: return ""
        case .nonCanonical:
            if f.signExtended {
                why = "\(hex(e.address)) is not canonical: bits 63..\(f.virtualBits - 1) must all equal bit \(f.virtualBits - 1)"
            } else {
                why = "\(hex(e.address)) is beyond \(f.name)'s \(f.virtualBits)-bit virtual address space (the highest address is \(hex(f.highestLowAddress)))"
            }
        case .notPresent:
            why = "the \(level.name) entry has its \(f.bits.family == .x86 ? "present (P)" : "valid (V)") bit clear: nothing is mapped there"
        case .protection:
            let need: String
            switch e.intent.kind {
            case .load: need = "read"
            case .store: need = "write"
            case .instruction: need = "execute"
            }
            var reasons: [String] = []
            if !r.permissions.contains(need == "read" ? .read : need == "write" ? .write : .execute) {
                reasons.append("the page does not allow \(need)")
            }
            if e.intent.user && !r.permissions.contains(.user) { reasons.append("it is a supervisor page and the access is from user mode") }
            if !e.intent.user && r.permissions.contains(.user) && f.bits.family == .riscv {
                reasons.append("supervisor access to a user page (sstatus.SUM = 0)")
            }
            why = "protection: " + (reasons.isEmpty ? "access not allowed" : reasons.joined(separator: "; "))
        case .reserved:
            why = "the \(level.name) entry uses a reserved encoding"
                + (f.bits.family == .x86 ? " (PS set at a level without large pages)" : " (W without R, or a pointer at the last level)")
        case .misaligned:
            why = "the \(level.name) leaf maps a frame not aligned to its \(level.coverage) page"
        case .segmentation:
            why = "segmentation refused the access"
        }
        return why + "; " + exception(e, format: f)
    }

    /// The exception and its code: x86 #PF with the error code (bits P, W/R, U/S, RSVD, I/D), #GP
    /// for non-canonical addresses; RISC-V scause 12/13/15.
    public static func exception(_ e: ExplainedTranslation, format f: PageTableFormat) -> String {
        let r = e.result
        if f.bits.family == .x86 {
            if r.fault == .nonCanonical {
                return f.signExtended ? "the processor raises #GP(0), a general-protection fault, not a page fault" : "no translation exists"
            }
            let code = e.errorCode(format: f)
            var bits: [String] = []
            bits.append(code & 1 != 0 ? "P=1 (protection)" : "P=0 (not present)")
            bits.append(code & 2 != 0 ? "W=1" : "W=0")
            bits.append(code & 4 != 0 ? "U=1" : "U=0")
            if code & 8 != 0 { bits.append("RSVD=1") }
            if code & 16 != 0 { bits.append("I=1") }
            return "page fault #PF, error code \(hex(code)) (\(bits.joined(separator: ", ")))"
        }
        let cause = e.scause
        return "\(["instruction", "load", "store/AMO"][cause == 12 ? 0 : cause == 13 ? 1 : 2]) page fault (scause \(cause))"
    }

    /// The explanation as text: the format, then one line per level and the outcome.
    public static func explainText(_ items: [ExplainedTranslation], format f: PageTableFormat, root: PhysicalAddress) -> String {
        var out = formatLine(f) + "\n"
        out += "root table (\(f.bits.family == .x86 ? "CR3" : "satp.PPN << 12")) = \(root)\n"
        let digits = f.entryBytes * 2
        for e in items {
            out += "\ntranslate \(hex(e.address)) (\(accessName(e.intent)))\n"
            if e.result.fault == .nonCanonical {
                out += "  " + faultExplanation(e, format: f) + "\n"
                continue
            }
            if f.signExtended {
                out += "  canonical: bits 63..\(f.virtualBits - 1) all \(e.address >> 63 == 0 ? "0" : "1")\n"
            }
            let nameWidth = f.levels.map { $0.name.count + $0.hardwareName.count + 3 }.max() ?? 0
            for s in e.steps {
                let l = f.levels[s.level]
                let label = "\(l.name) (\(l.hardwareName))"
                var line = "  " + label.padding(nameWidth) + " index \(String(s.index).leftPadding(4))"
                    + "  [bits \(Int(l.shift) + Int(l.indexBits) - 1)..\(l.shift)]"
                line += "  entry @ \(hex(s.entryAddress))"
                line += s.fromMemory ? "" : " (in a register)"
                line += " = \(hex(s.entry, digits: digits))"
                let bits = f.bits.describe(s.entry)
                line += bits.isEmpty ? "" : "  " + bits.joined(separator: " ")
                out += line + "\n"
                let present = s.entry & f.bits.present != 0
                if !present { continue }
                let target = f.bits.physicalAddress(s.entry)
                if s.nextTable >= 0 {
                    out += "      -> next table at \(hex(target))"
                } else if e.result.fault == .none || e.result.fault == .protection {
                    out += "      -> \(l.coverage) page at \(hex(target))"
                } else {
                    out += "      -> (does not translate)"
                }
                if s.updated != s.entry {
                    let set = f.bits.describe(s.updated & ~s.entry).joined(separator: " ")
                    out += "; walk sets \(set): \(hex(s.updated, digits: digits))"
                }
                out += "\n"
            }
            let r = e.result
            if r.succeeded {
                let mask = (UInt64(1) << UInt64(r.pageShift)) - 1
                out += "  physical address = \(hex(r.physical & ~mask)) + offset \(hex(e.address & mask)) = \(hex(r.physical))"
                out += " (\(PageSize(shift: r.pageShift)) page)\n"
            } else {
                out += "  fault: " + faultExplanation(e, format: f) + "\n"
            }
            out += "  memory references: \(r.references)" + (r.updates > 0 ? ", entries written back for A/D: \(r.updates)" : "") + "\n"
        }
        return out
    }

    static func formatJSON(_ f: PageTableFormat) -> JSONValue {
        .object([
            ("name", .string(f.name)),
            ("levels", .array(f.levels.map { l in
                .object([("name", .string(l.name)), ("hardwareName", .string(l.hardwareName)), ("indexBits", .int(Int64(l.indexBits))),
                         ("shift", .int(Int64(l.shift))), ("leafAllowed", .bool(l.leafAllowed))])
            })),
            ("pageSizes", .array(f.pageSizes.map { .uint($0.bytes) })),
            ("virtualBits", .int(Int64(f.virtualBits))),
            ("physicalBits", .int(Int64(f.physicalBits))),
            ("entryBytes", .int(Int64(f.entryBytes))),
        ])
    }

    /// The explanation as the JSON document of docs/json-schema.md.
    public static func explainJSON(_ items: [ExplainedTranslation], format f: PageTableFormat, root: PhysicalAddress) -> JSONValue {
        .object([
            ("command", .string("translate")),
            ("mode", .string("explain")),
            ("format", formatJSON(f)),
            ("root", .string(hex(root.rawValue))),
            ("translations", .array(items.map { e in
                let r = e.result
                return .object([
                    ("address", .string(hex(e.address))),
                    ("access", .string(e.intent.kind == .load ? "read" : e.intent.kind == .store ? "write" : "fetch")),
                    ("user", .bool(e.intent.user)),
                    ("physical", r.succeeded ? .string(hex(r.physical)) : .null),
                    ("pageSize", r.succeeded ? .uint(UInt64(1) << UInt64(r.pageShift)) : .null),
                    ("fault", r.succeeded ? .null : .string(r.fault.description)),
                    ("explanation", r.succeeded ? .null : .string(faultExplanation(e, format: f))),
                    ("errorCode", !r.succeeded && f.bits.family == .x86 && r.fault != .nonCanonical ? .uint(e.errorCode(format: f)) : .null),
                    ("references", .int(Int64(r.references))),
                    ("steps", .array(e.steps.map { s in
                        let l = f.levels[s.level]
                        let present = s.entry & f.bits.present != 0
                        return .object([
                            ("level", .string(l.name)),
                            ("hardwareName", .string(l.hardwareName)),
                            ("index", .int(Int64(s.index))),
                            ("entryAddress", .string(hex(s.entryAddress))),
                            ("entry", .string(hex(s.entry))),
                            ("updated", .string(hex(s.updated))),
                            ("bits", .array(f.bits.describe(s.entry).map { .string($0) })),
                            ("fromMemory", .bool(s.fromMemory)),
                            ("points", !present ? .null : .string(s.nextTable >= 0 ? "table" : "page")),
                            ("target", !present ? .null : .string(hex(f.bits.physicalAddress(s.entry)))),
                        ])
                    })),
                ])
            })),
        ])
    }

    // MARK: Trace runs

    /// The trace run as text: what was run, the TLB table, walks, faults and page-table overhead.
    public static func reportText(_ r: TranslationReport) -> String {
        let c = r.config
        var out = "\(r.trace.name) (\(r.trace.format)): \(groupThousands(r.trace.records)) accesses "
            + "(\(groupThousands(r.trace.kinds?.instructions ?? 0)) fetches, \(groupThousands(r.trace.kinds?.loads ?? 0)) loads, \(groupThousands(r.trace.kinds?.stores ?? 0)) stores, "
            + "\(groupThousands(r.trace.kinds?.modifies ?? 0)) modifies), \(groupThousands(r.stats.translations)) translations\n"
        out += "\(c.format.name) \(c.organisation.rawValue) page table, \(c.mapSize) pages mapped on first touch, "
            + "TLB \(c.tlb), walk caches \(c.organisation == .radix ? c.walkCache.description : "n/a"), memory \(ByteSize.format(c.memoryBytes))\n\n"
        if !r.tlbLevels.isEmpty {
            var t = TextTable(columns: [.init("TLB"), .init("lookups", alignment: .right), .init("hits", alignment: .right),
                                        .init("misses", alignment: .right), .init("miss ratio", alignment: .right)])
            for l in r.tlbLevels {
                t.append([l.name, groupThousands(l.lookups), groupThousands(l.hits), groupThousands(l.misses), formatFixed(l.missRatio, digits: 4)])
            }
            out += t.render() + "\n"
        }
        let s = r.stats
        out += "page walks            \(groupThousands(s.walks)) (\(groupThousands(s.dirtyAssists)) to set a dirty bit)\n"
        out += "memory refs per walk  \(formatFixed(s.referencesPerWalk, digits: 3)) (\(groupThousands(s.walkReferences)) references, longest \(s.longestWalk); \(groupThousands(s.walkUpdates)) A/D write-backs)\n"
        if !r.walkCaches.isEmpty {
            out += "walk caches           " + r.walkCaches.map { w in
                "\(c.format.levels[w.level].name) \(w.entries) entries \(groupThousands(w.hits)) hits"
            }.joined(separator: ", ") + "\n"
        }
        if let p = r.probes {
            out += "hash probes           \(formatFixed(p.mean, digits: 3)) per lookup (\(groupThousands(p.lookups)) lookups, longest \(p.longest))\n"
        }
        out += "page faults           \(groupThousands(r.counts.pageFaults)) (first touches, each mapped a \(c.mapSize) page)\n"
        if r.counts.untranslatable > 0 {
            out += "untranslatable        \(groupThousands(r.counts.untranslatable)) (outside the address space"
                + (r.counts.outOfMemory > 0 ? ", or \(groupThousands(r.counts.outOfMemory)) with no free frame" : "") + ")\n"
        }
        var tables = "page-table pages      \(groupThousands(r.tablePages)) (\(ByteSize.format(UInt64(r.tableBytes))) bytes"
        if let per = r.tablesPerLevel {
            tables += "; " + zip(c.format.levels, per).map { "\($0.name) \($1)" }.joined(separator: ", ")
        }
        out += tables + ") for \(groupThousands(r.mappedPages)) mapped pages\n"
        out += "physical frames       \(groupThousands(r.framesAllocated)) allocated (page tables and data)\n"
        if let p = r.emittedPath, let n = r.emittedLines {
            out += "physical trace        \(groupThousands(n)) lines written to \(p)\n"
        }
        return out
    }

    /// The trace run as the JSON document of docs/json-schema.md.
    public static func reportJSON(_ r: TranslationReport) -> JSONValue {
        let c = r.config
        let s = r.stats
        let series: JSONValue = r.series.map(SeriesRendering.json) ?? .null
        let members: [(String, JSONValue)] = [
            ("command", .string("translate")),
            ("mode", .string("trace")),
            ("trace", .object([
                ("name", .string(r.trace.name)), ("format", .string(r.trace.format)), ("accesses", .uint(r.trace.records)),
                ("loads", .uint(r.trace.kinds?.loads ?? 0)), ("stores", .uint(r.trace.kinds?.stores ?? 0)), ("modifies", .uint(r.trace.kinds?.modifies ?? 0)),
                ("instructions", .uint(r.trace.kinds?.instructions ?? 0)),
            ])),
            ("format", formatJSON(c.format)),
            ("table", .string(c.organisation.rawValue)),
            ("mapPageSize", .uint(c.mapSize.bytes)),
            ("memoryBytes", .uint(c.memoryBytes)),
            ("tlbSpec", .string(c.tlb.description)),
            ("walkCacheSpec", c.organisation == .radix ? .string(c.walkCache.description) : .null),
            ("translations", .uint(s.translations)),
            ("tlb", .array(r.tlbLevels.map { l in
                .object([
                    ("name", .string(l.name)), ("lookups", .uint(l.lookups)), ("hits", .uint(l.hits)), ("misses", .uint(l.misses)),
                    ("missRatio", .double(l.missRatio)),
                    ("arrays", .array(l.arrays.map { a in
                        .object([("pageSizes", .array(a.sizes.map { .uint($0.bytes) })), ("entries", .int(Int64(a.entries))),
                                 ("ways", .int(Int64(a.ways))), ("hits", .uint(a.hits))])
                    })),
                ])
            })),
            ("walks", .uint(s.walks)),
            ("walkReferences", .uint(s.walkReferences)),
            ("referencesPerWalk", .double(s.referencesPerWalk)),
            ("longestWalk", .uint(s.longestWalk)),
            ("walkUpdates", .uint(s.walkUpdates)),
            ("dirtyAssists", .uint(s.dirtyAssists)),
            ("walkCaches", c.organisation == .radix ? .array(r.walkCaches.map { w in
                .object([("level", .string(c.format.levels[w.level].name)), ("entries", .int(Int64(w.entries))), ("hits", .uint(w.hits))])
            }) : .null),
            ("probes", r.probes.map { p in
                .object([("lookups", .uint(p.lookups)), ("mean", .double(p.mean)), ("longest", .uint(p.longest))])
            } ?? .null),
            ("pageFaults", .uint(r.counts.pageFaults)),
            ("untranslatable", .uint(r.counts.untranslatable)),
            ("outOfMemory", .uint(r.counts.outOfMemory)),
            ("pageTable", .object([
                ("pages", .int(Int64(r.tablePages))), ("peakPages", .int(Int64(r.peakTablePages))), ("bytes", .int(Int64(r.tableBytes))),
                ("tablesPerLevel", r.tablesPerLevel.map { per in
                    .array(zip(c.format.levels, per).map { .object([("level", .string($0.name)), ("tables", .int(Int64($1)))]) })
                } ?? .null),
                ("mappedPages", .int(Int64(r.mappedPages))),
            ])),
            ("framesAllocated", .uint(r.framesAllocated)),
            ("emitted", r.emittedPath.map { p in .object([("path", .string(p)), ("lines", .uint(r.emittedLines ?? 0))]) } ?? .null),
        ]
        return .object(members + [("series", series)])
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    fileprivate func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

/// `vmsim translate --host-arch --explain`: each two-dimensional walk step by step, guest entries
/// at guest-physical addresses and the host (EPT) entries that translate them, with the count of
/// memory references.
public struct NestedWalkRenderer: ReportRenderer {
    /// The machine in a line, and the guest's CR3.
    public let title: String, guestRoot: UInt64
    public init(title: String, guestRoot: UInt64) {
        self.title = title
        self.guestRoot = guestRoot
    }

    func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    func purpose(_ p: NestedStep.Purpose) -> String {
        switch p {
        case .guestTable(let level): "guest L\(level) table"
        case .data: "the data page"
        }
    }

    func line(_ s: NestedStep) -> String {
        switch s.kind {
        case .hostEntry(let level, let p): "  host  L\(level) entry at hPA \(hex(s.address)) = \(hex(s.entry))   (for \(purpose(p)))\n"
        case .nestedTLBHit(let p): "  nested TLB hit: gPA \(hex(s.address)) -> hPA \(hex(s.entry))   (for \(purpose(p)))\n"
        case .guestEntry(let level): "  guest L\(level) entry at gPA \(hex(s.address)) = \(hex(s.entry))\n"
        case .eptViolation: "  EPT violation at gPA \(hex(s.address)): the host maps it (a host fault); the walk restarts\n"
        }
    }

    public func text(_ walks: [NestedWalk]) -> String {
        var out = title + ", guest CR3 gPA \(hex(guestRoot))\n"
        for w in walks {
            out += "\n\(hex(w.address)):\n"
            if w.tlbHit { out += "  TLB hit\n" }
            out += w.steps.map(line).joined()
            if w.guestFault != .none {
                out += "  guest page fault (\(w.guestFault)): the guest kernel handles it\n"
            } else {
                out += "  = gPA \(hex(w.guestPhysical)), hPA \(hex(w.physical))\n"
            }
            out += "  \(w.references) memory references" + (w.eptViolations > 0 ? " in the walk that completed, after \(w.eptViolations) EPT violations" : "") + "\n"
        }
        return out
    }

    public func json(_ walks: [NestedWalk]) -> JSONValue {
        func kind(_ s: NestedStep) -> [(String, JSONValue)] {
            func p(_ p: NestedStep.Purpose) -> JSONValue {
                switch p {
                case .guestTable(let level): .string("guest-table-L\(level)")
                case .data: .string("data")
                }
            }
            switch s.kind {
            case .hostEntry(let level, let pp): return [("kind", .string("host-entry")), ("level", .int(Int64(level))), ("for", p(pp))]
            case .nestedTLBHit(let pp): return [("kind", .string("nested-tlb-hit")), ("for", p(pp))]
            case .guestEntry(let level): return [("kind", .string("guest-entry")), ("level", .int(Int64(level)))]
            case .eptViolation: return [("kind", .string("ept-violation"))]
            }
        }
        return .object([
            ("schemaVersion", .int(1)), ("command", .string("translate")), ("mode", .string("nested-explain")),
            ("machine", .string(title)), ("guestRoot", .string(hex(guestRoot))),
            ("walks", .array(walks.map { w in
                .object([("address", .string(hex(w.address))), ("tlbHit", .bool(w.tlbHit)), ("fault", .string(w.guestFault.description)),
                         ("guestPhysical", .string(hex(w.guestPhysical))), ("physical", .string(hex(w.physical))),
                         ("references", .int(Int64(w.references))), ("eptViolations", .int(Int64(w.eptViolations))),
                         ("steps", .array(w.steps.map { s in .object(kind(s) + [("address", .string(hex(s.address))), ("entry", .string(hex(s.entry)))]) }))])
            })),
        ])
    }
}
