import LatentLab
import Testing
@testable import LatentUI

/// The rate-distortion plane (p): the run's trajectory in (R, D), held-out points apart from training ones with
/// or without colour, lines of constant −ELBO through the current and the best point, knob changes where the
/// run was when they happened.
@Suite struct RatePlaneTests {
    static func view() -> ViewState {
        var v = ViewState()
        v.showsPlane = true
        return v
    }

    static func run(_ s: Snapshot = SnapshotFixtures.ratePlane()) -> RatePlane.Run { CurvesPane.planeRun(s) }

    @Test(arguments: [(80, 24), (120, 40), (200, 60)])
    func thePlaneInTheCurvesPane(width: Int, height: Int) {
        let canvas = Dashboard.render(SnapshotFixtures.ratePlane(), view: Self.view(), width: width, height: height)
        assertSnapshot(canvas, named: "plane-\(width)x\(height)")
        let text = canvas.text
        #expect(text.contains("rate-distortion plane"))
        #expect(width >= 200 || !text.contains("-ELBO 1"), "the plane, not the curves, below 200 columns")
        #expect(text.contains("β=3"), "the β change labelled where the trajectory turns")
        #expect(text.contains("× held-out") && text.contains("● R 9.01 D 109"), "the current point's numbers")
        #expect(text.contains("● −ELBO 118") && text.contains("◆ −ELBO 113"), "both lines labelled")
        #expect(text.contains("D↑ R→") && text.contains("R, nats") && text.contains("0.00"), "R from 0: the corner")
        #expect(text.contains("knobs"), "the rest of the dashboard stays")
    }

    /// From 200 columns the plane is a panel of its own beside the curves, which stay; at 120 it takes their place.
    @Test func theCurvesStayBesideThePlaneOnALargeScreen() {
        let large = Dashboard.render(SnapshotFixtures.ratePlane(), view: Self.view(), width: 200, height: 60).text
        #expect(large.contains("rate-distortion plane") && large.contains("curves · nats") && large.contains("-ELBO"))
        let wide = Dashboard.render(SnapshotFixtures.ratePlane(), view: Self.view(), width: 120, height: 40).text
        #expect(wide.contains("rate-distortion plane") && !wide.contains("curves · nats"))
    }

    /// Every cell the current point's dashed line lights satisfies D + R = −ELBO within the cell, and the ● sits
    /// on it; the same for the best point's line.
    @Test func theConstantELBOLinesPassThroughTheirPoints() throws {
        let run = Self.run()
        var canvas = Canvas(width: 90, height: 30)
        RatePlane.draw([run], into: &canvas, rect: canvas.bounds)
        let visible = RatePlane.visibleRuns([run], window: nil, smoothing: 1)[0]
        let plot = Rect(x: RatePlane.labelWidth, y: 1, width: 90 - RatePlane.labelWidth, height: 28)
        let axes = try #require(RatePlane.Axes(visible.train + visible.heldOut, plot: plot))
        let current = try #require(run.current), best = try #require(run.best)
        #expect(current != best && current.loss > best.loss, "β = 3 costs ELBO: the last point is not the best")
        for (point, color) in [(current, run.currentColor), (best, run.bestColor)] {
            var cells = 0
            for y in plot.y..<plot.maxY {
                for x in plot.x..<plot.maxX {
                    let cell = canvas[x, y]
                    guard cell.style.foreground == color, (0x2801...0x28FF).contains(cell.character.value) else { continue }
                    cells += 1
                    // The cell's dots span these rates and distortions; a dot more each way for the rounding of the
                    // line's ends and of Bresenham's steps.
                    let dx = (x - plot.x) * 2, dy = (y - plot.y) * 4
                    let rates = [axes.rate(atDot: dx) , axes.rate(atDot: dx + 1)]
                    let distortions = [axes.distortion(atDot: dy + 3), axes.distortion(atDot: dy)]
                    let slack = (axes.rate(atDot: 1) - axes.rate(atDot: 0)) + (axes.distortion(atDot: 0) - axes.distortion(atDot: 1))
                    #expect(rates[0] + distortions[0] - slack <= point.loss && point.loss <= rates[1] + distortions[1] + slack,
                            "cell (\(x), \(y)) is off the line D + R = \(point.loss)")
                }
            }
            #expect(cells >= 20, "the line is drawn across the plot (\(cells) cells)")
            let at = axes.cell(point)
            #expect(canvas[at.x, at.y].character == (point == current ? "●" : "◆"))
        }
    }

    /// Without colour, training points are braille and held-out ones ×; in ASCII the braille becomes . : # and
    /// × an x, so the two stay apart, and the legend says which is which.
    @Test func trainAndHeldOutStayApartWithoutColourAndUnicode() {
        let canvas = Dashboard.render(SnapshotFixtures.ratePlane(), view: Self.view(), width: 120, height: 40)
        var train = Set<Character>(), heldOut = Set<Character>()
        var ascii = ""
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                let cell = canvas[x, y], plain = Fallback.cell(cell, color: false, unicode: false)
                ascii.unicodeScalars.append(plain.character)
                if cell.style.foreground == .brightCyan && (0x2801...0x28FF).contains(cell.character.value) {
                    train.insert(Character(plain.character))
                }
                if cell.style.foreground == .brightMagenta && cell.character == "×" { heldOut.insert(Character(plain.character)) }
            }
            ascii += "\n"
        }
        #expect(!train.isEmpty && heldOut == ["x"] && train.isDisjoint(with: heldOut), "\(train) \(heldOut)")
        #expect(ascii.contains("x held-out") && ascii.contains("* R 9.01") && ascii.contains("* -ELBO 118"))
        #expect(ascii.contains("^b=3"), "the knob change in ASCII")
        #expect(ascii.unicodeScalars.allSatisfy { $0.isASCII })
    }

    /// Presses in quick succession land on one point: the latest is labelled, the earlier ones do not pile up.
    @Test func knobChangesAtOnePointShowTheLatest() {
        var run = Self.run()
        run.markers = [.init(step: 1790, label: "β=1.5"), .init(step: 1800, label: "β=2"), .init(step: 1800, label: "β=3")]
        var canvas = Canvas(width: 90, height: 30)
        RatePlane.draw([run], into: &canvas, rect: canvas.bounds)
        #expect(canvas.text.contains("β=3") && !canvas.text.contains("β=2"))
        #expect(canvas.text.filter { $0 == "▴" }.count == 1)
    }

    /// The rate axis starts at 0 when the run is near it, so a collapsed run sits in the corner; a run far from
    /// it is zoomed in.
    @Test func theRateAxisReachesZeroNearTheCollapsedCorner() throws {
        let plot = Rect(x: 0, y: 0, width: 40, height: 10)
        let collapsed = (0..<10).map { RateDistortionPoint(step: $0, rate: 0.3 + Float($0) * 0.1, distortion: 90 - Float($0)) }
        #expect(try #require(RatePlane.Axes(collapsed, plot: plot)).rateLow == 0)
        let far = (0..<10).map { RateDistortionPoint(step: $0, rate: 20 + Float($0) * 0.5, distortion: 90 - Float($0)) }
        #expect(try #require(RatePlane.Axes(far, plot: plot)).rateLow > 19)
    }

    @Test func aFreshRunWaitsForData() {
        var canvas = Canvas(width: 60, height: 12)
        RatePlane.draw([Self.run(Snapshot())], into: &canvas, rect: canvas.bounds)
        #expect(canvas.text.contains("waiting for data…"))
    }

    /// p switches the pane and back; it asks nothing of the engine, and the help lists it.
    @Test func theKeyTogglesThePane() {
        let opened = KeyMap.handle(.character("p"), view: ViewState(), snapshot: SnapshotFixtures.training(),
                                   checkpointPath: "x") { 1 }
        #expect(opened.view.showsPlane && opened.commands.isEmpty)
        let closed = KeyMap.handle(.character("p"), view: opened.view, snapshot: SnapshotFixtures.training(),
                                   checkpointPath: "x") { 1 }
        #expect(!closed.view.showsPlane)
        #expect(Knob.forKey("p") == nil && KeyMap.help.contains { $0.keys == "p" && $0.action.contains("rate-distortion") })
    }
}
