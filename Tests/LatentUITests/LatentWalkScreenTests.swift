import LatentLab
import Testing
@testable import LatentUI

/// The latent walk on screen: the cursor with its decoded image beside the latent map, the traversal under
/// the images, and the arrows that move them on those pages (and choose the map's units elsewhere).
@Suite struct LatentWalkScreenTests {
    /// A bar whose column follows `position` in [0, 1], on 28×28.
    static func bar(_ position: Float) -> [Float] {
        (0..<(28 * 28)).map { p in abs(Float(p % 28) - 4 - 20 * position) <= 2 ? 0.9 : 0.05 }
    }

    /// The dashboard's answer to `key` in `view`.
    static func press(_ key: Key, _ view: ViewState, _ s: Snapshot) -> KeyResult {
        KeyMap.handle(key, view: view, snapshot: s, checkpointPath: "x") { 1 }
    }

    static func walking() -> (Snapshot, ViewState) {
        var s = SnapshotFixtures.training()
        var walk = LatentWalk()
        walk.request.first = 13
        walk.request.second = 20
        walk.request.cursorFirst = 0.75
        walk.request.cursorSecond = -0.5
        walk.request.traversed = 13
        walk.cursorImage = bar(0.6)
        walk.traversal = LatentWalk.sweep.map { bar(($0 + 3) / 6) }
        walk.step = 3000
        s.walk = walk
        var view = ViewState()
        view.mapDims = .init(13, 20)
        view.cursor = .init(first: 0.75, second: -0.5)
        view.traversedUnit = 13
        return (s, view)
    }

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func theTraversal(width: Int, height: Int) {
        var (s, view) = Self.walking()
        view.page = .images
        let canvas = Dashboard.render(s, view: view, width: width, height: height)
        assertSnapshot(canvas, named: "traversal-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("traversal · z13 from −3σ to +3σ · KL"))
        #expect(text.contains("-3σ") && text.contains("+0σ") && text.contains("+3σ"))
    }

    @Test(arguments: [(80, 24), (120, 40)])
    func theCursor(width: Int, height: Int) {
        var (s, view) = Self.walking()
        view.page = .latentMap
        let canvas = Dashboard.render(s, view: view, width: width, height: height)
        assertSnapshot(canvas, named: "cursor-\(width)x\(height)")
        #expect(canvas.text.contains("at the cursor") && canvas.text.contains("z13 = 0.75  z20 = -0.50"))
        #expect(canvas.text.contains("✛"), "the cursor on the map")
    }

    /// From 120×40 the images page has the KL-per-unit bars between the images and the traversal, with a ▴
    /// under the traversed unit's bar that follows it; at 80×24 there is no room for them.
    @Test func theBarsMarkTheTraversedUnit() throws {
        var (s, view) = Self.walking()
        view.page = .images
        let canvas = Dashboard.render(s, view: view, width: 120, height: 40)
        let rows = canvas.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = try #require(rows.firstIndex { $0.contains("KL per unit") })
        let traversal = try #require(rows.firstIndex { $0.contains("traversal · z13") })
        #expect(title < traversal)
        func markColumn(_ c: Canvas) -> Int? {
            (0..<c.height).lazy.compactMap { y in (0..<c.width).first { c[$0, y].character == "▴" } }.first
        }
        let at13 = try #require(markColumn(canvas))
        s.walk?.request.traversed = 14
        let at14 = try #require(markColumn(Dashboard.render(s, view: view, width: 120, height: 40)))
        #expect(at14 == at13 + 1, "one bar a unit at 50 units: the mark moves one column")
        #expect(!Dashboard.render(s, view: view, width: 80, height: 24).text.contains("KL per unit"))
    }

    /// An inactive unit says so in the traversal's title (the bars' 0.01 threshold).
    @Test func theTraversalNamesAnInactiveUnit() {
        var (s, view) = Self.walking()
        view.page = .images
        s.activity[13] = 0.001
        #expect(Dashboard.render(s, view: view, width: 120, height: 40).text.contains("inactive"))
    }

    @Test func theArrowsWalkOnTheirPagesAndChooseUnitsElsewhere() {
        let (s, start) = Self.walking()
        func press(_ key: Key, _ view: ViewState) -> KeyResult { Self.press(key, view, s) }
        var map = start
        map.page = .overview
        let entered = press(.tab, map)
        #expect(entered.view.page == .latentMap && entered.commands == [.latentWalk(entered.view.walkRequest(for: s))],
                "arriving on the map's page asks for the walk")
        let moved = press(.right, entered.view)
        #expect(moved.view.cursor == .init(first: 1.0, second: -0.5) && moved.view.mapDims == entered.view.mapDims)
        #expect(moved.commands == [.latentWalk(moved.view.walkRequest(for: s))])
        #expect(moved.view.walkRequest(for: s).cursorFirst == 1.0 && moved.view.walkRequest(for: s).first == 13)
        var edge = moved.view
        edge.cursor.second = -3.5
        #expect(press(.down, edge).view.cursor.second == -3.5 && press(.down, edge).commands.isEmpty, "kept on the map")

        var images = start
        images.page = .images
        #expect(press(.right, images).view.traversedUnit == 14 && press(.left, images).view.traversedUnit == 12)
        #expect(press(.down, images).view.walkReference == 1 && press(.up, images).view.walkReference == 5,
                "↑ from the first image wraps to the last of six")
        var leaving = images
        leaving.page = .latentMap
        #expect(press(.escape, leaving).commands == [.latentWalk(nil)], "closing the pages stops the walk")
        let overview = press(.right, map)
        #expect(overview.view.mapDims == .init(14, 20) && overview.commands.isEmpty, "on the overview: the map's units")
    }

    /// On the map's page, where the arrows move the cursor, the brackets choose its units: the cursor keeps its z
    /// and the engine is asked to decode on the new units.
    @Test func theBracketsChooseTheMapsUnitsWhileTheCursorWalks() {
        let (s, start) = Self.walking()
        func press(_ key: Key, _ view: ViewState) -> KeyResult { Self.press(key, view, s) }
        var map = start
        map.page = .latentMap
        let first = press(.character("]"), map), back = press(.character("["), map)
        let second = press(.character("}"), map), down = press(.character("{"), map)
        #expect(first.view.mapDims == .init(14, 20) && back.view.mapDims == .init(12, 20))
        #expect(second.view.mapDims == .init(13, 21) && down.view.mapDims == .init(13, 19))
        #expect(first.view.cursor == map.cursor, "the cursor keeps its place")
        #expect(first.commands == [.latentWalk(first.view.walkRequest(for: s))] && first.view.walkRequest(for: s).first == 14)
        let text = Dashboard.render(s, view: first.view, width: 120, height: 40).text
        #expect(text.contains("z14 × z20") && text.contains("[ ] { } the map's units"))
        #expect(KeyMap.help.contains { $0.keys == "[ / ]" } && KeyMap.help.contains { $0.keys == "{ / }" })
    }
}
