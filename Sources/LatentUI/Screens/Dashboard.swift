import Foundation
import LatentLab

/// The whole screen, built from a snapshot and the view state. Pure: the same inputs draw the same cells.
///
/// Layouts: at least 120×40 shows every pane; from 80×24 the essentials (status, curves, units, and every
/// knob with its key) with the latent map and images one Tab away; smaller gets a centred "too small" message.
/// Each pane is a `Widget`; `Layout` places them.
public enum Dashboard {
    /// The smallest screen that shows every pane.
    static let wideWidth = 120, wideHeight = 40
    /// Rows of the images pane: a row of 28×28 images in half blocks, a second row, and the box.
    static let imagesHeight = 16
    /// The left column's share of a wide screen; the units pane's share of the rows the images leave.
    static let leftPercent = 60, unitsShare = (2, 5)
    /// The units pane's fewest rows: bars a few rows tall, the axis caption and the box.
    static let unitsMinimumHeight = 9
    /// On the compact layout: the knobs column, the units pane's share of the height and its fewest rows.
    static let knobsWidth = 34, compactUnitsPercent = 45, compactUnitsMinimumHeight = 10
    /// The curves need a legend, a plot row and an axis row per chart, in a box, to be worth drawing.
    static let curvesMinimumHeight = 8
    /// The status line, the footer and the collapse banner are one row each.
    static let lineRows = 1
    /// Priorities: what keeps its space when rows or columns run short (higher keeps it longer).
    static let lowPriority = 0, keyPriority = 1

    /// `demos` are the entries of the d menu, drawn when the view has it open.
    public static func render(_ s: Snapshot, view: ViewState, width: Int, height: Int,
                              demos: [DemoMenu.Item] = []) -> Canvas {
        guard width >= Overlays.minimumWidth && height >= Overlays.minimumHeight else {
            return Overlays.tooSmall(width: width, height: height)
        }
        var c = Canvas(width: width, height: height)
        let screen = Layout.rows(c.bounds, [.length(lineRows), .fill(), .length(lineRows)])
        let (top, body, bottom) = (screen[0], screen[1], screen[2])
        StatusLine(s).render(into: &c, rect: top)
        switch view.page {
        case .overview:
            if width >= wideWidth && height >= wideHeight {
                wide(s, view, into: &c, body)
            } else {
                compact(s, view, into: &c, body)
            }
        case .latentMap: LatentPane(snapshot: s, view: view, walking: true).render(into: &c, rect: body)
        case .images: WalkImagesPage(snapshot: s, view: view).render(into: &c, rect: body)
        case .gaps: GapPane(snapshot: s).render(into: &c, rect: body)
        }
        Footer(snapshot: s, view: view).render(into: &c, rect: bottom)
        // Over the top edge of the first panes, where the eye starts.
        CollapseBanner(s).render(into: &c, rect: Layout.rows(body, [.length(lineRows)])[0])
        switch view.overlay {
        case .help?: Overlays.help(into: &c, keys: KeyMap.help, footer: s.platform)
        case .confirmingReset?: Overlays.confirmReset(into: &c)
        case .demoMenu?: DemoMenu.draw(demos, into: &c)
        case .modelMenu?: ModelMenu.draw(current: s.modelDescription, into: &c)
        case .confirmingModel(let family)?: ModelMenu.confirm(family, into: &c)
        case nil: break
        }
        return c
    }

    /// The knobs in their box, and the rows it takes: every knob and the collapse indicator.
    static func knobs(_ s: Snapshot) -> (pane: Boxed<KnobsPanel>, height: Constraint) {
        let border = Boxed<KnobsPanel>.borderCells
        return (KnobsPanel(s).boxed("knobs"),
                .length(KnobsPanel.preferredHeight(s) + border, min: KnobsPanel.minimumHeight(s) + border,
                        priority: keyPriority))
    }

    /// Every pane: curves, units and images on the left; latent map and knobs on the right.
    /// The left column is at least wide enough for one row of input, reconstruction and sample.
    static func wide(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let columns = Layout.columns(r, [.percent(leftPercent, min: ImagesPane.minimumWidth(s)), .fill()])
        let left = Layout.rows(columns[0], [.fill(), .length(imagesHeight)])
        let upper = Layout.rows(left[0], [.fill(), .ratio(unitsShare.0, unitsShare.1, min: unitsMinimumHeight)])
        CurvesPane(snapshot: s, view: view).render(into: &c, rect: upper[0])
        UnitsPane(snapshot: s, view: view).render(into: &c, rect: upper[1])
        ImagesPane(snapshot: s).render(into: &c, rect: left[1])
        let knobs = knobs(s)
        let right = Layout.rows(columns[1], [.fill(), knobs.height])
        LatentPane(snapshot: s, view: view).render(into: &c, rect: right[0])
        knobs.pane.render(into: &c, rect: right[1])
    }

    /// The essentials: the knobs down the right, whole, since they are what a user reaches for; curves above
    /// the units on the left.
    static func compact(_ s: Snapshot, _ view: ViewState, into c: inout Canvas, _ r: Rect) {
        let columns = Layout.columns(r, [.fill(priority: lowPriority), .length(knobsWidth, priority: keyPriority)])
        let left = Layout.rows(columns[0], [.fill(min: curvesMinimumHeight, priority: lowPriority),
                                            .percent(compactUnitsPercent, min: compactUnitsMinimumHeight)])
        CurvesPane(snapshot: s, view: view).render(into: &c, rect: left[0])
        UnitsPane(snapshot: s, view: view).render(into: &c, rect: left[1])
        let knobs = knobs(s)
        // The box reaches down to the units' bottom edge, the rows under the knobs left blank.
        let right = Layout.rows(columns[1], [knobs.height, .fill()])
        knobs.pane.render(into: &c, rect: Rect(x: right[0].x, y: right[0].y, width: right[0].width,
                                               height: right[0].height + right[1].height))
    }
}
