import ArgumentParser

@main
struct VMSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmsim",
        abstract: "Simulate an operating system's virtual memory on real traces, modelled on Linux.",
        discussion: """
            Trace-driven: memory-access traces from Valgrind Lackey, libCacheSim (oracleGeneral), Dinero \
            or plain page lists, and allocation traces (Valgrind --trace-malloc, CS:APP malloc lab, OSTEP \
            op lists) go in; exact counts come out. Start with `vmsim demo`.

            Exit status: 0 on success, 2 when a trace or input file is malformed or unreadable, \
            64 for a usage error, 70 when `vmsim heap --check` finds a broken invariant (a bug). \
            `vmsim ostep` tools exit as their Python scripts do (2 for an option error, 1 for a \
            script error).
            """,
        subcommands: [DemoCommand.self, RunCommand.self, RecordCommand.self, PagingCommand.self, MRCCommand.self, TranslateCommand.self, HeapCommand.self, BuddyCommand.self, ReportCommand.self, OstepCommand.self]
    )
}
