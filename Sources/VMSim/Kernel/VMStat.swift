/// The event counters of /proc/vmstat that the kernel model keeps (`enum vm_event_item`), by
/// their kernel names. State counters (`nr_free_pages`, `nr_anon_pages`, ...) are computed from
/// the machine when /proc/vmstat is printed.
public struct VMStat: Hashable, Sendable {
    public var pgfault = 0, pgmajfault = 0, pgreuse = 0
    public var pswpin = 0, pswpout = 0
    public var pgactivate = 0, pgdeactivate = 0, pgrefill = 0, pgrotated = 0
    public var pgstealKswapd = 0, pgstealDirect = 0, pgscanKswapd = 0, pgscanDirect = 0
    public var pgscanAnon = 0, pgscanFile = 0, pgstealAnon = 0, pgstealFile = 0
    public var allocstallNormal = 0, pageoutrun = 0
    public var kswapdLowWmarkHitQuickly = 0, kswapdHighWmarkHitQuickly = 0
    public var oomKill = 0
    public var swapRa = 0, swapRaHit = 0
    public var balloonInflate = 0, balloonDeflate = 0
    public var nrTLBRemoteFlush = 0, nrTLBRemoteFlushReceived = 0, nrTLBLocalFlushAll = 0, nrTLBLocalFlushOne = 0
    public var nrVmscanWrite = 0, nrWritten = 0
    public var pgpgin = 0, pgpgout = 0
    public var pglazyfree = 0, pglazyfreed = 0
    public var workingsetRefaultAnon = 0, workingsetRefaultFile = 0, workingsetActivateAnon = 0, workingsetActivateFile = 0
    public var workingsetRestoreAnon = 0, workingsetRestoreFile = 0
    public var thpFaultAlloc = 0, thpFaultFallback = 0, thpFaultFallbackCharge = 0, thpSplitPage = 0, thpSplitPMD = 0
    /// Zero counts.
    /// - Complexity: O(1).
    public init() {}
}
