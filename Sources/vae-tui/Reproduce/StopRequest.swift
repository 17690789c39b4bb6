import Foundation
import Synchronization

/// Signals that ask a headless training to stop at its next step boundary, save its whole state and exit
/// `stoppedStatus`, to be continued later: SIGUSR1 (what the Slurm batch script forwards when Slurm warns of the
/// time limit), SIGTERM (Slurm's own stop: a requeue, a preemption, `scancel`, the limit itself) and SIGINT
/// (Ctrl-C). Repeated SIGUSR1 and SIGTERM change nothing (Slurm may send TERM to the script and the row both);
/// a second Ctrl-C ends the process at once, for a user who will not wait for the step.
enum StopRequest {
    /// The signal that asked, 0 while none has.
    private static let signalled = Atomic<Int32>(0)

    /// The exit status of a run stopped and saved by a signal: EX_TEMPFAIL of sysexits.h, "try again later".
    static let stoppedStatus: Int32 = 75

    /// The status of a process a second Ctrl-C ends: the shell's 128 + SIGINT.
    private static let interruptedStatus: Int32 = 128 + SIGINT

    static func install() {
        // A parent may hand its blocked signals down (a test runner, a batch system's helper): unblocked here, or
        // the handler would never run.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGUSR1, SIGTERM, SIGINT] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in [SIGUSR1, SIGTERM, SIGINT] {
            signal(s) { received in
                if received == SIGINT && StopRequest.signalled.load(ordering: .relaxed) == SIGINT {
                    _exit(StopRequest.interruptedStatus)
                }
                StopRequest.signalled.store(received, ordering: .relaxed)
            }
        }
    }

    /// The signal that asked to stop, 0 while none has.
    static var received: Int32 { signalled.load(ordering: .relaxed) }

    static var isRaised: Bool { received != 0 }

    /// "SIGUSR1", "SIGTERM" or "SIGINT": what the messages name.
    static var signalName: String {
        switch received {
        case SIGUSR1: "SIGUSR1"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "no signal"
        }
    }
}
