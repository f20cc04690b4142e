extension HeapPolicy {
    /// Parses a list of allocator names (`["first,best", "tlsf"]`), case-insensitive, duplicates
    /// dropped, in order; an empty list is the four fit policies.
    /// - Complexity: O(n) in the total length of the strings.
    public static func parseList(_ values: some Sequence<String>) throws(SpecError) -> [HeapPolicy] {
        let names = SpecList.items(values)
        if names.isEmpty { return [.first, .next, .best, .worst] }
        var out: [HeapPolicy] = []
        for name in names {
            guard let p = HeapPolicy(rawValue: name.lowercased()) else {
                throw SpecError("unknown heap policy '\(name)'; choose from " + allCases.map(\.rawValue).joined(separator: ", "))
            }
            if !out.contains(p) { out.append(p) }
        }
        return out
    }
}

extension HeapModel {
    /// The heap model's options as text (byte counts such as `8`, `4K`, `0x1000`), each named by
    /// the field it sets, for front ends that take them as strings.
    public struct Options: Hashable, Sendable {
        /// The alignment, a byte count.
        public var alignment = "8"
        /// The header, a byte count.
        public var header = "0"
        /// The heap's first address, a byte count.
        public var base = "0"
        /// When free neighbours merge.
        public var coalescing = Coalescing.immediate
        /// The list order whose search lengths are reported.
        public var order = FreeListOrder.address
        /// The heap limit, a byte count, or `nil` for none.
        public var heapLimit: String?
        /// The initial heap, a byte count.
        public var initialHeap = "0"
        /// Large requests mapped on their own: `off`, `glibc` (128K, raised dynamically as glibc
        /// does), or a byte count (a fixed threshold, as mallopt's M_MMAP_THRESHOLD sets it).
        public var mmapThreshold = "off"

        /// The reference model's options.
        public init() {}
    }

    /// The model the options describe.
    ///
    ///     var o = HeapModel.Options(); o.alignment = "16"; o.heapLimit = "64M"
    ///     let model = try HeapModel(parsing: o)
    ///
    /// - Throws: `SpecError` naming the option (`alignment`, `header`, `base`, `heap limit`,
    ///   `initial heap`, `mmap threshold`) whose value is not a byte count or is out of range, with `field` the
    ///   `Options` property it came from.
    /// - Complexity: O(n) in the length of the strings.
    public init(parsing o: Options) throws(SpecError) {
        func size(_ text: String, _ option: String, _ field: String, max: UInt64 = HeapModel.addressSpaceLimit) throws(SpecError) -> UInt64 {
            guard let v = ByteSize.parse(text) else {
                throw SpecError("\(option) '\(text)' is not a byte count such as 8, 4K or 0x1000", field: field)
            }
            guard v <= max else {
                throw SpecError("\(option) \(text) is more than VMSim simulates (at most \(ByteSize.format(max)))", field: field)
            }
            return v
        }
        let alignment = try size(o.alignment, "alignment", "alignment", max: 1 << 20)
        guard alignment >= 1 else { throw SpecError("alignment 0: use 1 for no rounding", field: "alignment") }
        var limit: UInt64?
        if let text = o.heapLimit { limit = try size(text, "heap limit", "heapLimit") }
        let initial = try size(o.initialHeap, "initial heap", "initialHeap")
        if let limit, let text = o.heapLimit, initial > limit {
            throw SpecError("initial heap \(o.initialHeap) is larger than the heap limit \(text)", field: "initialHeap")
        }
        self.init(alignment: alignment, header: try size(o.header, "header", "header", max: 1 << 20),
                  base: try size(o.base, "base", "base", max: UInt64.max - HeapModel.addressSpaceLimit),
                  coalescing: o.coalescing, order: o.order, heapLimit: limit, initialHeap: initial)
        switch o.mmapThreshold.lowercased() {
        case "off", "none": mmap = nil
        case "glibc", "dynamic": mmap = MallocMmap()
        default:
            let t = try size(o.mmapThreshold, "mmap threshold", "mmapThreshold")
            // mallopt refuses a threshold above HEAP_MAX_SIZE / 2 (32 MiB on 64-bit; do_set_mmap_threshold).
            guard t <= 32 << 20 else {
                throw SpecError("mmap threshold \(o.mmapThreshold) is more than glibc's mallopt accepts (at most 32M); use off, glibc or a size",
                                field: "mmapThreshold")
            }
            mmap = MallocMmap(threshold: t, dynamic: false)
        }
    }
}
