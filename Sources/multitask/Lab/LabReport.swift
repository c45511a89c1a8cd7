/// Renders lab rows as a table or as JSON.
enum LabReport {
    static func table(_ rows: [LabRow], cores: Int) -> String {
        var out = "Multitask lab — \(cores) core(s). Same units of work, different strategies.\n\n"
        let header = pad("work", 11) + pad("strategy", 13) + pad("workers", 9) + pad("units", 7) + pad("wall s", 9) + pad("speed-up", 10) + "reading"
        out += header + "\n" + String(repeating: "─", count: header.count + 40) + "\n"
        var lastWork: LabRow.Work?
        let grouped = rows.filter { $0.work == .cpu } + rows.filter { $0.work == .blocking }
        for row in grouped {
            if let lastWork, lastWork != row.work { out += "\n" }
            lastWork = row.work
            out += pad(row.work.rawValue, 11) + pad(row.strategy, 13) + pad("\(row.workers)", 9) + pad("\(row.units)", 7)
                + pad(format(row.seconds), 9) + pad(format(row.speedup, decimals: 2) + "×", 10) + row.reading + "\n"
        }
        out += """

            Parallel: CPU work needs cores, so the speed-up is capped by the core count.
            Concurrent: blocking work only waits, so many workers overlap even on few cores.
            """
        return out
    }

    /// The rows as one JSON object; `extra` adds members after `rows`, each a key and an array
    /// of already rendered JSON values.
    static func json(_ rows: [LabRow], cores: Int, extra: [(key: String, items: [String])] = []) -> String {
        let items = rows.map { r in
            #"{"work": "\#(r.work.rawValue)", "strategy": "\#(r.strategy)", "workers": \#(r.workers), "units": \#(r.units), "seconds": \#(r.seconds), "speedup": \#(r.speedup), "reading": "\#(escape(r.reading))"}"#
        }
        return "{\"cores\": \(cores), " + ([("rows", items)] + extra).map { key, items in
            "\"\(key)\": [\n  " + items.joined(separator: ",\n  ") + "\n]"
        }.joined(separator: ", ") + "}"
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
