import VMSim

/// A `Series` in the JSON documents and the `--csv --series` tables.
public enum SeriesRendering {
    /// `{"unit": "accesses", "columns": ["misses"], "points": [[x, v...], ...]}`, one point per line.
    /// - Complexity: O(points × columns).
    public static func json(_ s: Series) -> JSONValue {
        .object([
            ("unit", .string(s.unit)),
            ("columns", .array(s.columns.map { .string($0) })),
            ("points", .array(s.x.indices.map { i in
                .fragment("[" + ([String(s.x[i])] + s.values[i].map(number)).joined(separator: ",") + "]")
            })),
        ])
    }

    /// A value as JSON writes it (integral values without a fraction): `JSONValue`'s own rule.
    static func number(_ d: Double) -> String { JSONValue.double(d).serialized() }

    /// Long-form CSV rows of several series: the key columns of each, then the unit, then the values.
    /// - Complexity: O(total points × columns).
    public static func csv(keys: [String], _ items: [(key: [String], series: Series)]) -> String {
        guard let first = items.first?.series else { return CSVTable(header: keys).render() }
        var csv = CSVTable(header: keys + [first.unit] + first.columns)
        for item in items {
            for i in item.series.x.indices {
                csv.append(item.key + [String(item.series.x[i])] + item.series.values[i].map(number))
            }
        }
        return csv.render()
    }
}
