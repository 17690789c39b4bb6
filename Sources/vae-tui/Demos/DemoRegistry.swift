import ArgumentParser
import LatentLab
import LatentUI

/// A demo's `vae-tui demo NAME` command: its options make the demo.
protocol DemoCommand: ParsableCommand {
    var screenOptions: ScreenOptions { get }
    func makeDemo() -> any LatentUI.Demo
}

extension DemoCommand {
    /// A demo run on its own from the shell: it needs a terminal, and gives it back however it ends.
    func run() throws {
        BLAS.setThreads(1)  // the demos' products are small: more threads only spin
        try runStandaloneDemo(screenOptions) { runDemoLoop(on: $0, demo: makeDemo()) }
    }
}

/// Every demo, once: its command, and its key and title on the dashboard's d menu, where it opens with its
/// command's defaults and the dashboard's seed. The `demo` command and the d menu both read this list.
enum DemoRegistry {
    struct Entry {
        let command: any DemoCommand.Type
        let menuKey: Character
        let title: String
        /// The demo as the d menu opens it.
        func make(seed: UInt64) throws -> any LatentUI.Demo {
            try command.parse(["--seed", String(seed)]).makeDemo()
        }
        var item: DemoMenu.Item { DemoMenu.Item(key: menuKey, title: title) }
    }

    static let all: [Entry] = [
        Entry(command: Binpack.self, menuKey: "b", title: "bin packing"),
        Entry(command: Enumerate.self, menuKey: "e", title: "marginal by enumeration"),
        Entry(command: Dequant.self, menuKey: "u", title: "dequantization: uniform against variational"),
    ]
}
