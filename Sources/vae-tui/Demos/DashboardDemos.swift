import LatentUI

/// A demo that the dashboard's d menu opens: its key and title on the menu, and its screen loop,
/// run on the dashboard's own screen (training goes on in the engine thread meanwhile).
struct DashboardDemo {
    let item: DemoMenu.Item
    let launch: (CursesScreen) -> DemoExit

    init(key: Character, title: String, launch: @escaping (CursesScreen) -> DemoExit) {
        item = DemoMenu.Item(key: key, title: title)
        self.launch = launch
    }

    /// The menu, one line per demo.
    static func all(seed: UInt64) -> [DashboardDemo] {
        [
            DashboardDemo(key: "b", title: "bin packing") { runBinPackDemo(on: $0, seed: seed) },
            DashboardDemo(key: "e", title: "marginal by enumeration") { runEnumerationDemo(on: $0, states: 4, seed: seed) },
        ]
    }
}
