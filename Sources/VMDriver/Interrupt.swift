import CVMSimSupport

/// Ctrl-C during a long run: the run stops after the batch it is in and prints what it has, marked
/// partial; a second Ctrl-C exits at once (status 130). Every driver's batch loop checks it, so the
/// results are those of a prefix of the input, consistent across the simulations of the run.
public enum Interrupt {
    /// Catches SIGINT from now on (the commands that can stop early call it).
    public static func install() { vmsim_interrupt_install() }
    /// Whether Ctrl-C has been pressed since `install`.
    public static var requested: Bool { vmsim_interrupted() != 0 }
    /// The exit status of an interrupted run, as a shell gives a process killed by SIGINT.
    public static let exitStatus: Int32 = 130
}
