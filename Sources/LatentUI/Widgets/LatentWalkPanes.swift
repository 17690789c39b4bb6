import Foundation
import LatentLab

/// Beside the latent map on its page: the image the decoder makes at the cursor, and where the cursor is.
struct CursorPane: Widget {
    /// A 28-pixel image in its box.
    static let width = 30

    var walk: LatentWalk
    var snapshot: Snapshot

    func render(into c: inout Canvas, rect r: Rect) {
        c.box(r, title: "at the cursor")
        let inner = r.inset(1)
        let (w, h) = (snapshot.images.width, snapshot.images.height)
        var y = inner.y
        if walk.cursorImage.count == w * h && inner.height >= (h + 1) / 2 {
            HalfBlockImage.draw(walk.cursorImage, width: w, height: h, into: &c, x: inner.x, y: y)
            y += (h + 1) / 2
        }
        let q = walk.request
        let lines = [String(format: "z%d = %.2f  z%d = %.2f", q.first, q.cursorFirst, q.second, q.cursorSecond),
                     snapshot.latentSize > 2 ? "others: image \(q.reference + 1)'s q mean" : "",
                     walk.areDraws ? "drawn pixel by pixel, step \(walk.step)" : "E[x|z] · arrows move it",
                     snapshot.latentSize > 2 ? "[ ] { } the map's units" : ""]
        for line in lines where !line.isEmpty && y < inner.maxY {
            c.put(line, x: inner.x, y: y, style: .dim, clip: inner)
            y += 1
        }
    }
}

/// A traversal: one unit swept over the prior's −3σ to +3σ with the others at a reference image's posterior
/// mean, a row of decoded images. A collapsed unit gives the same image seven times: the picture of
/// "inactive" beside its KL.
struct TraversalPane: Widget {
    /// Burda's activity threshold, as the unit bars use it.
    static let activeThreshold: Float = 0.01

    var walk: LatentWalk
    var snapshot: Snapshot

    /// The side of each image, in pixels, for a pane `width` wide: seven images and a column between them.
    static func pixels(width: Int, imageWidth: Int) -> Int {
        max(1, min(imageWidth, (width - 2 + 1) / LatentWalk.sweep.count - 1))
    }

    /// The box, the images and the row of their values.
    static func height(width: Int, imageWidth: Int) -> Int {
        (pixels(width: width, imageWidth: imageWidth) + 1) / 2 + 3
    }

    func render(into c: inout Canvas, rect r: Rect) {
        let j = walk.request.traversed
        let kl = j < snapshot.klPerUnit.count ? snapshot.klPerUnit[j] : 0
        let active = j < snapshot.activity.count && snapshot.activity[j] > Self.activeThreshold
        let how = walk.areDraws ? " · drawn pixel by pixel" : ""
        let state = active ? "active" : "inactive", reference = walk.request.reference + 1
        let title = String(format: "traversal · z%d from −3σ to +3σ · KL %.2f nats, %@", j, kl, state)
            + " · others at image \(reference)'s q mean"
        c.box(r, title: title + how)
        let inner = r.inset(1)
        let (w, h) = (snapshot.images.width, snapshot.images.height)
        guard walk.traversal.allSatisfy({ $0.count == w * h }) else { return }
        let side = Self.pixels(width: r.width, imageWidth: w)
        for (i, image) in walk.traversal.enumerated() {
            let x = inner.x + i * (side + 1)
            let small = HalfBlockImage.shrink(image, width: w, height: h, to: side)
            HalfBlockImage.draw(small, width: side, height: side, into: &c, x: x, y: inner.y)
            c.put(String(format: "%+.0fσ", LatentWalk.sweep[i]), x: x, y: inner.y + (side + 1) / 2, style: .dim,
                  clip: inner)
        }
    }
}

/// The images page: inputs, reconstructions and samples, and under them the traversal (←/→ the unit, ↑/↓ the
/// reference image) once the engine has decoded it; where there is room, the KL-per-unit bars between them with
/// the traversed unit marked, so the active units to try are in sight.
struct WalkImagesPage: Widget {
    var snapshot: Snapshot
    var view: ViewState

    func render(into c: inout Canvas, rect r: Rect) {
        guard let walk = snapshot.walk else { return ImagesPane(snapshot: snapshot).render(into: &c, rect: r) }
        let traversal = TraversalPane.height(width: r.width, imageWidth: snapshot.images.width)
        let units = Dashboard.unitsMinimumHeight
        // The bars only where a row of images keeps its room above them.
        let oneRowOfImages = (snapshot.images.height + 1) / 2 + Boxed<ImagesPane>.borderCells
        guard r.height >= oneRowOfImages + units + traversal else {
            let rows = Layout.rows(r, [.fill(), .length(traversal)])
            ImagesPane(snapshot: snapshot).render(into: &c, rect: rows[0])
            return TraversalPane(walk: walk, snapshot: snapshot).render(into: &c, rect: rows[1])
        }
        let rows = Layout.rows(r, [.fill(), .length(units), .length(traversal)])
        ImagesPane(snapshot: snapshot).render(into: &c, rect: rows[0])
        UnitsPane(snapshot: snapshot, view: view, marked: walk.request.traversed).render(into: &c, rect: rows[1])
        TraversalPane(walk: walk, snapshot: snapshot).render(into: &c, rect: rows[2])
    }
}
