#if canImport(Glibc)
import Glibc
private func libmLog10(_ x: Double) -> Double { Glibc.log10(x) }
#elseif canImport(Musl)
import Musl
private func libmLog10(_ x: Double) -> Double { Musl.log10(x) }
#elseif canImport(Darwin)
import Darwin
private func libmLog10(_ x: Double) -> Double { Darwin.log10(x) }
#endif

/// Inline SVG charts for the HTML reports: line charts (linear or log-scale x, a marked peak,
/// marked points) and grouped or stacked bar charts, with labelled axes and a legend. They need
/// no script and no network; each point or bar carries a `<title>` that browsers show as a tooltip.
public enum SVGChart {
    /// One line of a line chart.
    public struct Line: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// A point to mark on a line chart, with its label.
    public struct Mark: Sendable {
        public var x: Double, y: Double, label: String
        public init(x: Double, y: Double, label: String) {
            self.x = x
            self.y = y
            self.label = label
        }
    }

    /// Okabe and Ito's palette, distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    static func color(_ i: Int) -> String { palette[i % palette.count] }

    static let width = 720.0, height = 360.0
    static let left = 76.0, right = 16.0, top = 34.0, bottom = 52.0

    /// A line chart. `xLog` spaces x by its logarithm (x > 0 only); `markPeak` marks each line's
    /// highest point.
    /// - Complexity: O(points).
    public static func lines(title: String, xLabel: String, yLabel: String, lines: [Line], xLog: Bool = false,
                             yMin: Double? = 0, markPeak: Bool = false, marks: [Mark] = [], xTicksAt: [Double]? = nil) -> String {
        let pts = lines.flatMap(\.points).filter { !xLog || $0.x > 0 }
        var svg = open(title)
        guard !pts.isEmpty else { return svg + empty() + "</svg>" }
        let xs = pts.map(\.x), ys = pts.map(\.y)
        var x0 = xs.min()!, x1 = xs.max()!
        var y0 = yMin ?? ys.min()!, y1 = ys.max()!
        if x1 == x0 { x0 -= 1; x1 += 1 }
        if y1 == y0 { y1 = y0 + 1 }
        let yTicks = niceTicks(y0, y1)
        y0 = min(y0, yTicks.first!); y1 = max(y1, yTicks.last!)
        let fx: (Double) -> Double
        let xTicks: [Double]
        if xLog {
            let l0 = log10(x0), l1 = log10(x1) == log10(x0) ? log10(x0) + 1 : log10(x1)
            fx = { left + (log10($0) - l0) / (l1 - l0) * (width - left - right) }
            xTicks = xTicksAt.map { t in t.filter { $0 >= x0 && $0 <= x1 } } ?? logTicks(x0, x1)
        } else {
            fx = { left + ($0 - x0) / (x1 - x0) * (width - left - right) }
            xTicks = niceTicks(x0, x1).filter { $0 >= x0 && $0 <= x1 }
        }
        let fy: (Double) -> Double = { height - bottom - ($0 - y0) / (y1 - y0) * (height - top - bottom) }
        svg += axes(xTicks: xTicks.map { (fx($0), compact($0)) }, yTicks: yTicks.map { (fy($0), compact($0)) },
                    xLabel: xLabel + (xLog ? " (log scale)" : ""), yLabel: yLabel)
        for (i, line) in lines.enumerated() {
            let p = line.points.filter { !xLog || $0.x > 0 }
            guard !p.isEmpty else { continue }
            let d = p.enumerated().map { (j, q) in (j == 0 ? "M" : "L") + fmt(fx(q.x)) + " " + fmt(fy(q.y)) }.joined(separator: " ")
            // Past the palette, lines repeat its colours dashed.
            let dash = i >= palette.count ? " stroke-dasharray=\"6 3\"" : ""
            svg += "<path class=\"line\" d=\"\(d)\" fill=\"none\" stroke=\"\(color(i))\" stroke-width=\"2\"\(dash)><title>\(escape(line.name))</title></path>\n"
            if p.count <= 40 {
                for q in p {
                    svg += "<circle cx=\"\(fmt(fx(q.x)))\" cy=\"\(fmt(fy(q.y)))\" r=\"3\" fill=\"\(color(i))\"><title>\(escape(line.name)): \(compact(q.x)), \(exact(q.y))</title></circle>\n"
                }
            }
            if markPeak, let peak = p.max(by: { $0.y < $1.y }) {
                svg += "<circle cx=\"\(fmt(fx(peak.x)))\" cy=\"\(fmt(fy(peak.y)))\" r=\"5\" fill=\"none\" stroke=\"\(color(i))\" stroke-width=\"2\"><title>peak of \(escape(line.name)): \(exact(peak.y)) at \(exact(peak.x))</title></circle>\n"
                // Labels of several peaks step down, so that coinciding peaks stay readable.
                svg += "<text x=\"\(fmt(min(fx(peak.x) + 7, width - right - 60)))\" y=\"\(fmt(max(fy(peak.y) - 7, top + 10) + Double(i) * 12))\" class=\"mark\" fill=\"\(color(i))\">peak \(compact(peak.y))</text>\n"
            }
        }
        for m in marks where !xLog || m.x > 0 {
            let x = fx(m.x), y = fy(m.y)
            svg += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top))\" x2=\"\(fmt(x))\" y2=\"\(fmt(height - bottom))\" stroke=\"#666\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y))\" r=\"5\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"2\"><title>\(escape(m.label))</title></circle>\n"
            svg += "<text x=\"\(fmt(min(x + 7, width - right - 120)))\" y=\"\(fmt(top + 12))\" class=\"mark\">\(escape(m.label))</text>\n"
        }
        svg += legend(lines.map(\.name))
        return svg + "</svg>"
    }

    /// A stacked area chart: `layers` (all on the same x) piled up from the axis in order, with
    /// `overlays` drawn as dashed lines over them (thresholds such as watermarks).
    /// - Complexity: O(points).
    public static func stacked(title: String, xLabel: String, yLabel: String, layers: [Line], overlays: [Line] = []) -> String {
        var svg = open(title)
        guard let n = layers.first?.points.count, n > 0, layers.allSatisfy({ $0.points.count == n }) else { return svg + empty() + "</svg>" }
        var tops = [[Double]](repeating: [Double](repeating: 0, count: n), count: layers.count)
        for i in 0 ..< n {
            var sum = 0.0
            for (l, layer) in layers.enumerated() { sum += max(0, layer.points[i].y); tops[l][i] = sum }
        }
        let xs = layers[0].points.map(\.x)
        var x0 = xs.min()!, x1 = xs.max()!
        if x1 == x0 { x0 -= 1; x1 += 1 }
        let peak = max(tops.last!.max()!, overlays.flatMap { $0.points.map(\.y) }.max() ?? 0, 1e-12)
        let yTicks = niceTicks(0, peak)
        let y1 = yTicks.last!
        let fx: (Double) -> Double = { left + ($0 - x0) / (x1 - x0) * (width - left - right) }
        let fy: (Double) -> Double = { height - bottom - $0 / y1 * (height - top - bottom) }
        svg += axes(xTicks: niceTicks(x0, x1).filter { $0 >= x0 && $0 <= x1 }.map { (fx($0), compact($0)) },
                    yTicks: yTicks.map { (fy($0), compact($0)) }, xLabel: xLabel, yLabel: yLabel)
        for l in layers.indices {
            let upper = (0 ..< n).map { "\(fmt(fx(xs[$0]))) \(fmt(fy(tops[l][$0])))" }
            let lower = (0 ..< n).reversed().map { "\(fmt(fx(xs[$0]))) \(fmt(fy(l == 0 ? 0 : tops[l - 1][$0])))" }
            svg += "<path d=\"M" + (upper + lower).joined(separator: " L") + " Z\" fill=\"\(color(l))\" fill-opacity=\"0.8\" stroke=\"none\"><title>\(escape(layers[l].name))</title></path>\n"
        }
        for (o, line) in overlays.enumerated() where !line.points.isEmpty {
            let d = line.points.enumerated().map { (j, q) in (j == 0 ? "M" : "L") + fmt(fx(q.x)) + " " + fmt(fy(q.y)) }.joined(separator: " ")
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"\(o % 2 == 0 ? "6 3" : "2 3")\"><title>\(escape(line.name))</title></path>\n"
            // One label for the thresholds, above the highest.
            if o == overlays.count - 1, let last = line.points.last {
                svg += "<text x=\"\(fmt(fx(last.x) - 4))\" y=\"\(fmt(fy(last.y) - 3))\" text-anchor=\"end\" class=\"mark\">\(escape(overlays.map(\.name).joined(separator: ", ")))</text>\n"
            }
        }
        if let i = tops.last!.indices.max(by: { tops.last![$0] < tops.last![$1] }) {
            svg += "<circle cx=\"\(fmt(fx(xs[i])))\" cy=\"\(fmt(fy(tops.last![i])))\" r=\"4\" fill=\"none\" stroke=\"#000\"><title>peak: \(exact(tops.last![i])) at \(exact(xs[i]))</title></circle>\n"
        }
        svg += legend(layers.map(\.name))
        return svg + "</svg>"
    }

    /// An occupancy map: one band per row, cut into cells shaded by how full each is (0 to 1).
    /// - Complexity: O(rows × cells).
    public static func occupancy(title: String, xLabel: String, rows: [(name: String, cells: [Double], span: Double)]) -> String {
        var svg = open(title)
        guard !rows.isEmpty, let widest = rows.map(\.span).max(), widest > 0 else { return svg + empty() + "</svg>" }
        let plot = width - left - right
        let band = min(40.0, (height - top - bottom - 10) / Double(rows.count))
        svg += axes(xTicks: niceTicks(0, widest).filter { $0 <= widest }.map { (left + $0 / widest * plot, compact($0)) },
                    yTicks: [], xLabel: xLabel, yLabel: "")
        for (r, row) in rows.enumerated() {
            let y = top + 6 + Double(r) * band
            let w = row.span / widest * plot / Double(max(1, row.cells.count))
            for (i, f) in row.cells.enumerated() {
                let shade = Int((1 - max(0, min(1, f))) * 215) + 20
                svg += "<rect x=\"\(fmt(left + Double(i) * w))\" y=\"\(fmt(y))\" width=\"\(fmt(w + 0.2))\" height=\"\(fmt(band - 6))\" fill=\"rgb(\(shade),\(shade),\(min(255, shade + 40)))\"><title>\(escape(row.name)) cell \(i): \(exact(f)) allocated</title></rect>\n"
            }
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + band / 2))\" text-anchor=\"end\" class=\"tick\">\(escape(row.name))</text>\n"
        }
        return svg + "</svg>"
    }

    /// A bar chart: one group of bars per category, one bar per series (or the series stacked).
    /// - Complexity: O(categories × series).
    public static func bars(title: String, yLabel: String, categories: [String], series: [(name: String, values: [Double])],
                            stacked: Bool = false) -> String {
        var svg = open(title)
        guard !categories.isEmpty, !series.isEmpty else { return svg + empty() + "</svg>" }
        let totals = categories.indices.map { c in
            stacked ? series.reduce(0) { $0 + max(0, $1.values[c]) } : series.map { $0.values[c] }.max() ?? 0
        }
        let yTicks = niceTicks(0, max(totals.max() ?? 1, 1e-12))
        let y1 = yTicks.last!
        let fy: (Double) -> Double = { height - bottom - $0 / y1 * (height - top - bottom) }
        let slot = (width - left - right) / Double(categories.count)
        svg += axes(xTicks: [], yTicks: yTicks.map { (fy($0), compact($0)) }, xLabel: "", yLabel: yLabel)
        for (c, category) in categories.enumerated() {
            let x = left + Double(c) * slot
            let n = stacked ? 1 : series.count
            let bw = max(1, slot * 0.8 / Double(n))
            var base = 0.0
            for (s, item) in series.enumerated() {
                let v = max(0, item.values[c])
                let bx = stacked ? x + slot * 0.1 : x + slot * 0.1 + Double(s) * bw
                let yTop = fy(base + v), yBottom = fy(base)
                svg += "<rect x=\"\(fmt(bx))\" y=\"\(fmt(yTop))\" width=\"\(fmt(bw))\" height=\"\(fmt(max(0, yBottom - yTop)))\" fill=\"\(color(s))\"><title>\(escape(category)), \(escape(item.name)): \(exact(item.values[c]))</title></rect>\n"
                if stacked { base += v }
            }
            // Labels wider than their slot alternate between two rows.
            let label = category.count > 18 ? String(category.prefix(17)) + "…" : category
            let staggered = Double(label.count) * 6.2 > slot && c % 2 == 1
            svg += "<text x=\"\(fmt(x + slot / 2))\" y=\"\(fmt(height - bottom + (staggered ? 30 : 16)))\" text-anchor=\"middle\" class=\"tick\">\(escape(label))</text>\n"
        }
        svg += legend(series.map(\.name))
        return svg + "</svg>"
    }

    // MARK: Parts

    static func open(_ title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
            + "<title>\(escape(title))</title>\n"
            + "<text x=\"\(fmt(left))\" y=\"20\" class=\"title\">\(escape(title))</text>\n"
    }

    static func empty() -> String {
        "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\" class=\"tick\">no data</text>\n"
    }

    static func axes(xTicks: [(Double, String)], yTicks: [(Double, String)], xLabel: String, yLabel: String) -> String {
        var s = "<g class=\"axes\">\n"
        for (y, label) in yTicks {
            s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(y))\" stroke=\"#ddd\"/>"
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\" class=\"tick\">\(escape(label))</text>\n"
        }
        for (x, label) in xTicks {
            s += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(x))\" y2=\"\(fmt(height - bottom + 5))\" stroke=\"#333\"/>"
            s += "<text x=\"\(fmt(x))\" y=\"\(fmt(height - bottom + 18))\" text-anchor=\"middle\" class=\"tick\">\(escape(label))</text>\n"
        }
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(height - bottom))\" x2=\"\(fmt(width - right))\" y2=\"\(fmt(height - bottom))\" stroke=\"#333\"/>"
        s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(top))\" x2=\"\(fmt(left))\" y2=\"\(fmt(height - bottom))\" stroke=\"#333\"/>\n"
        if !xLabel.isEmpty {
            s += "<text x=\"\(fmt((left + width - right) / 2))\" y=\"\(fmt(height - 12))\" text-anchor=\"middle\" class=\"label\">\(escape(xLabel))</text>\n"
        }
        s += "<text transform=\"translate(16 \(fmt((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" class=\"label\">\(escape(yLabel))</text>\n"
        return s + "</g>\n"
    }

    static func legend(_ names: [String]) -> String {
        guard names.count > 1 else { return "" }
        var s = "<g class=\"legend\">\n"
        var x = width - right, y = top + 4
        // Right-aligned rows of entries.
        var rows: [[(Int, String)]] = [[]]
        var rowWidth = 0.0
        for (i, n) in names.enumerated() {
            let w = 22 + Double(min(n.count, 24)) * 6.6
            if rowWidth + w > width - left - right - 20, !rows[rows.count - 1].isEmpty { rows.append([]); rowWidth = 0 }
            rows[rows.count - 1].append((i, n))
            rowWidth += w
        }
        for row in rows {
            x = width - right
            for (i, n) in row.reversed() {
                let label = n.count > 24 ? String(n.prefix(23)) + "…" : n
                x -= 22 + Double(label.count) * 6.6
                s += "<rect x=\"\(fmt(x))\" y=\"\(fmt(y - 8))\" width=\"12\" height=\"10\" fill=\"\(color(i))\"/>"
                s += "<text x=\"\(fmt(x + 16))\" y=\"\(fmt(y + 1))\" class=\"tick\">\(escape(label))</text>\n"
            }
            y += 14
        }
        return s + "</g>\n"
    }

    // MARK: Numbers

    /// Ticks at 1, 2 or 5 times a power of ten, covering [lo, hi].
    static func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        let span = max(hi - lo, 1e-12)
        let raw = span / Double(count)
        let p = pow10(floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        let start = floor(lo / step) * step
        var out: [Double] = []
        var v = start
        while v < hi + step * 0.999 && out.count < 50 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// Ticks at powers of ten (and 2, 5 between them when the range is under two decades).
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let a = Int(floor(log10(lo))), b = Int(ceil(log10(hi)))
        var out: [Double] = []
        for e in a ... max(a, b) {
            for m in (b - a <= 2 ? [1.0, 2, 5] : [1.0]) {
                let v = m * pow10(Double(e))
                if v >= lo * 0.999 && v <= hi * 1.001 { out.append(v) }
            }
        }
        return out
    }

    static func pow10(_ e: Double) -> Double {
        var r = 1.0
        let n = Int(e)
        if n >= 0 { for _ in 0 ..< n { r *= 10 } } else { for _ in 0 ..< -n { r /= 10 } }
        return r
    }

    static func log10(_ x: Double) -> Double { x > 0 ? libmLog10(x) : -.infinity }

    /// A short label: 950, 1.2K, 3.5M, 0.25.
    static func compact(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return trim(v / 1e9) + "G" }
        if a >= 1e6 { return trim(v / 1e6) + "M" }
        if a >= 1e4 { return trim(v / 1e3) + "K" }
        if a == a.rounded() { return String(Int64(v)) }
        return trim(v)
    }

    static func trim(_ v: Double) -> String {
        var s = formatFixed(v, digits: abs(v) >= 100 ? 0 : abs(v) >= 10 ? 1 : abs(v) >= 1 ? 2 : 3)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// The value as the JSON writes it.
    static func exact(_ v: Double) -> String { SeriesRendering.number(v) }

    static func fmt(_ v: Double) -> String { formatFixed(v, digits: 1) }

    /// Text escaped for HTML and SVG.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

