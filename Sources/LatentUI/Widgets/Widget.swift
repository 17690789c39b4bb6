/// Anything that draws itself into a rectangle of a canvas. A screen splits its canvas with `Layout` and
/// hands each rectangle to a widget, so no widget needs to know where it sits or how big the screen is.
public protocol Widget {
    func render(into canvas: inout Canvas, rect: Rect)
}

extension Widget {
    /// The widget drawn inside a box with `title` in its top edge.
    public func boxed(_ title: String) -> Boxed<Self> { Boxed(title: title, content: self) }
}

/// A widget inside a box of line characters, its title in the top edge.
public struct Boxed<Content: Widget>: Widget {
    /// The cells the border takes from the content's height or width.
    public static var borderCells: Int { 2 }

    public var title: String
    public var content: Content

    public init(title: String, content: Content) {
        self.title = title
        self.content = content
    }

    public func render(into canvas: inout Canvas, rect: Rect) {
        canvas.box(rect, title: title)
        content.render(into: &canvas, rect: rect.inset(1))
    }
}
