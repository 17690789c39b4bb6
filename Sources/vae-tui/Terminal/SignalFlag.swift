import Foundation
import Synchronization

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT (Ctrl-\, which would otherwise dump core with the terminal still in
/// curses' mode) set this flag; the screen loop sees it and exits through the normal path, which saves the
/// run and restores the terminal.
enum SignalFlag {
    static let raised = Atomic<Bool>(false)

    static func install() {
        for s in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(s) { _ in SignalFlag.raised.store(true, ordering: .relaxed) }
        }
    }
}
