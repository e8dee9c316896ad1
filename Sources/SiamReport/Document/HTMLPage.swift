/// The report's page: a polyglot XHTML5 document (parses as XML and as HTML) holding
/// its own CSS, with screen and print styles, and nothing that needs the network.
public struct HTMLPage: Sendable {
  public var title: String
  /// The `<body>` content (header, sections).
  public var body: [Markup]

  public init(title: String, body: [Markup]) {
    self.title = title
    self.body = body
  }

  /// The whole document as text, starting with `<!DOCTYPE html>`.
  public func rendered() -> String {
    let root = Markup.element(
      "html", ["xmlns": "http://www.w3.org/1999/xhtml", "lang": "en", "xml:lang": "en"],
      [
        .element(
          "head", [:],
          [
            .element("meta", ["charset": "utf-8"]),
            .element("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"]),
            .element("meta", ["name": "generator", "content": "siam report"]),
            .element("title", text: title),
            .element("style", text: Self.css),
          ]),
        .element("body", [:], body),
      ])
    var out = "<!DOCTYPE html>\n"
    root.render(into: &out)
    out += "\n"
    return out
  }

  /// Screen and print styles. Contains no `<` or `&`, so it needs no escaping in XML.
  public static let css = """
    :root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #4e79a7; }
    * { box-sizing: border-box; }
    body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
      color: var(--ink); margin: 0 auto; padding: 24px 28px 48px; max-width: 1200px; background: #fff; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    p.lead { color: var(--muted); margin: 0 0 12px; }
    p.note { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
    code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
    pre { background: #f6f7f9; border: 1px solid var(--rule); border-radius: 4px; padding: 8px 10px;
      white-space: pre-wrap; word-break: break-all; margin: 4px 0 10px; }
    table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
    th, td { border-bottom: 1px solid var(--rule); padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
    th { color: var(--muted); font-weight: 600; }
    td.number { text-align: right; font-variant-numeric: tabular-nums; }
    .table-scroll { overflow-x: auto; }
    .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 12px 20px; }
    figure { margin: 0; }
    figcaption { color: var(--muted); font-size: 12.5px; }
    svg.chart { width: 100%; height: auto; max-width: 640px; }
    svg.chart text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; fill: #333; }
    svg.chart .chart-title { font-size: 13px; font-weight: 600; }
    svg.chart .axis-label { fill: var(--muted); }
    svg.chart line.domain, svg.chart line.tick { stroke: #888; }
    svg.chart line.grid { stroke: #ececec; }
    svg.chart .bar-value, svg.chart .reference-label { font-size: 10px; fill: #444; }
    svg.chart .reference-line { stroke-width: 1.5; }
    svg.chart .error-bar { stroke-width: 1.3; }
    svg.chart .cell { stroke: #fff; stroke-width: 1; }
    svg.chart .cell-value { font-size: 10px; }
    svg.chart text.on-dark { fill: #fff; }
    img.preview { image-rendering: pixelated; max-width: 100%; border: 1px solid var(--rule); }
    nav.toc { font-size: 13px; margin: 8px 0 0; }
    nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; }
    @media print {
      body { padding: 0; max-width: none; font-size: 11px; }
      nav.toc { display: none; }
      h2 { break-after: avoid; }
      figure, table, pre, img { break-inside: avoid; }
      .charts { grid-template-columns: 1fr 1fr; }
      svg.chart { max-width: 100%; }
      a { color: inherit; text-decoration: none; }
    }
    """
}
