// The access-trace harnesses (lackey, din, plain, oracle-general) share this driver.
import VMSim
@testable import VMTrace

/// Page sizes to read byte addresses with, picked per input.
private let pageShifts: [UInt8] = [12, 12, 12, 21, 30, 6, 9, 63]

/// The reader `AccessTrace.open` makes for `format`, over an input window of `capacity` bytes
/// (the readers' own is 1 MiB; small windows put refills inside lines and records).
func pageReader(_ format: TraceFormat, _ input: InputBuffer, _ options: AccessTraceOptions) -> any AccessTraceReader {
    switch format {
    case .lackey: TextAccessReader(input: input, format: .lackey, parser: LackeyParser(pageSize: options.pageSize), batchSize: options.batchSize)
    case .plain: TextAccessReader(input: input, format: .plain, parser: PlainParser(), batchSize: options.batchSize)
    case .din: TextAccessReader(input: input, format: .din, parser: DinParser(pageSize: options.pageSize), batchSize: options.batchSize)
    case .oracleGeneral: OracleGeneralReader(input: input, batchSize: options.batchSize, validateNextUse: options.validateNextUse)
    }
}

/// The reader `AccessTrace.openAddresses` makes for `format`, over a window of `capacity` bytes.
func addressReader(_ format: TraceFormat, _ input: InputBuffer, _ options: AccessTraceOptions) -> any AddressTraceReader {
    switch format {
    case .lackey: TextAccessReader(input: input, format: .lackey, parser: LackeyAddressParser(), batchSize: options.batchSize)
    case .plain: TextAccessReader(input: input, format: .plain, parser: PlainAddressParser(pageSize: options.pageSize), batchSize: options.batchSize)
    case .din: TextAccessReader(input: input, format: .din, parser: DinAddressParser(), batchSize: options.batchSize)
    case .oracleGeneral:
        PageAddressReader(OracleGeneralReader(input: input, batchSize: options.batchSize, validateNextUse: false),
                          pageSize: options.pageSize, capacity: max(1, options.batchSize))
    }
}

/// Reads the input as a `format` trace at one level or both (picked per input), pages
/// (`AccessTrace.open`) and byte accesses (`AccessTrace.openAddresses`): once with a 8 KiB
/// window and batches of 512, once with a window of 24 to 280 bytes and batches of 1 to 7; and,
/// for one input in 64, through the public entry points themselves (1 MiB window, default batch).
/// Checks: no crash; errors name the input and a line (text) or byte offset (binary), in one
/// line; the records and error do not depend on the batch size or window (except that a line
/// longer than a small window is an error there); no batch exceeds its size (plus one line's
/// worth); Lackey and din accept and reject the same lines at both levels.
func fuzzAccessTrace(_ format: TraceFormat, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = inputBytes(data, size)
    if looksCompressed(bytes) { return -1 }
    let path = InputFile.write(bytes)
    let small = smallBatchSize(bytes)
    let h = bytes.reduce(UInt32(0)) { ($0 &* 31) &+ UInt32($1) }
    let pageSize = PageSize(shift: pageShifts[Int(h >> 3) % pageShifts.count])
    let validate = h & 0x100 != 0
    let window = 24 + Int(h >> 9) % 257
    let viaPublicAPI = (h >> 20) % 64 == 0
    let binary = format == .oracleGeneral
    let lackeySlack = 2 * Int((UInt64(1) << 16) >> UInt64(pageSize.shift) + 2)

    func open(_ capacity: Int) -> InputBuffer {
        do { return InputBuffer(stream: try ByteStream.open(path, displayName: inputName), capacity: capacity) } catch {
            finding("ByteStream.open failed on a readable file: \(error)")
        }
    }

    func pages(_ batchSize: Int, window: Int?) -> Outcome<PageAccess> {
        let options = AccessTraceOptions(format: format, pageSize: pageSize, batchSize: batchSize, validateNextUse: validate)
        let reader: any AccessTraceReader
        if let window {
            reader = pageReader(format, open(window), options)
        } else {
            do { reader = try AccessTrace.open(path, options: options, displayName: inputName) } catch {
                finding("AccessTrace.open failed on a readable file: \(error)")
            }
        }
        guard reader.format == format else { finding("opened as \(reader.format), asked for \(format)") }
        let out = drain(batchSize: batchSize, slack: format == .lackey ? lackeySlack : 0) { () throws(TraceError) in try reader.nextBatch() }
        if let e = out.error { checkLocated(e, file: inputName, bytes: bytes, binary: binary) }
        return out
    }

    /// The recording reader (`LackeyRecording`, SYSCALL lines parsed) over a small window: no
    /// crash, a located error, and where both readers accept the input, the same accesses.
    func checkRecording(_ reference: Outcome<AddressAccess>) {
        let log = LackeyRecording(input: open(window), batchSize: small)
        var accesses: [AddressAccess] = []
        do throws(TraceError) {
            while let step = try log.next() { accesses += step.accesses }
        } catch {
            checkLocated(error, file: inputName, bytes: bytes, binary: false)
            return
        }
        if reference.error == nil && accesses != reference.records {
            finding("lackey: the recording reader read \(accesses.count) accesses, the address reader \(reference.records.count)")
        }
    }

    func addresses(_ batchSize: Int, window: Int?) -> Outcome<AddressAccess> {
        let options = AccessTraceOptions(format: format, pageSize: pageSize, batchSize: batchSize)
        let reader: any AddressTraceReader
        if let window {
            reader = addressReader(format, open(window), options)
        } else {
            do { reader = try AccessTrace.openAddresses(path, options: options, displayName: inputName) } catch {
                finding("AccessTrace.openAddresses failed on a readable file: \(error)")
            }
        }
        guard reader.format == format else { finding("opened as \(reader.format), asked for \(format)") }
        let out = drain(batchSize: batchSize, slack: 0) { () throws(TraceError) in try reader.nextBatch() }
        if let e = out.error { checkLocated(e, file: inputName, bytes: bytes, binary: binary) }
        return out
    }

    // Each input reads one level both ways (two opens, not four: the opens dominate the cost of
    // a run); one in four reads both, for the checks across levels.
    let level = (h >> 24) % 4, both = level == 3
    var p: Outcome<PageAccess>?, a: Outcome<AddressAccess>?
    if both || level % 2 == 0 {
        let reference = pages(512, window: 1 << 13)
        checkSameOutcome(reference, pages(small, window: window), "\(format.rawValue) pages", window: window)
        if viaPublicAPI { checkSameOutcome(reference, pages(1 << 15, window: nil), "\(format.rawValue) pages (AccessTrace.open)") }
        p = reference
    }
    if both || level % 2 == 1 {
        let reference = addresses(512, window: 1 << 13)
        checkSameOutcome(reference, addresses(small, window: window), "\(format.rawValue) addresses", window: window)
        if viaPublicAPI { checkSameOutcome(reference, addresses(1 << 15, window: nil), "\(format.rawValue) addresses (AccessTrace.openAddresses)") }
        a = reference
        if format == .lackey { checkRecording(reference) }
    }
    guard let p, let a else { return 0 }

    switch format {
    case .lackey, .din:
        // One line parser behind both levels: the same lines are accepted and rejected.
        guard p.error == a.error else {
            finding("\(format.rawValue): pages and addresses disagree: \(p.error.map(String.init(describing:)) ?? "no error") vs \(a.error.map(String.init(describing:)) ?? "no error")")
        }
        if format == .din && p.error == nil {
            guard p.records.count == a.records.count else { finding("din: \(p.records.count) pages but \(a.records.count) addresses") }
            for (page, access) in zip(p.records, a.records) where page.page != access.address >> UInt64(pageSize.shift) {
                finding("din: page \(page.page) for address \(access.address)")
            }
        }
    case .oracleGeneral:
        if !validate && p.error == nil {
            guard a.error == nil, p.records.count == a.records.count else { finding("oracle-general: pages and addresses disagree") }
        }
    case .plain:
        break
    }
    return 0
}
