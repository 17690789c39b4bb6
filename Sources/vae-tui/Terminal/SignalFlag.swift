import Foundation
import Synchronization

/// SIGINT and SIGTERM set this flag; the screen loop sees it and exits through the normal path,
/// which restores the terminal.
enum SignalFlag {
    static let raised = Atomic<Bool>(false)

    static func install() {
        for s in [SIGINT, SIGTERM, SIGHUP] {
            signal(s) { _ in SignalFlag.raised.store(true, ordering: .relaxed) }
        }
    }
}
