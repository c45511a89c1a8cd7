/// Renders lab rows as a table or as JSON.
enum LabReport {
    static func table(_ rows: [LabRow], cores: Int) -> String {
        var out = "Multitask lab — \(cores) core(s). Same units of work, different strategies.\n\n"
        var table = TextTable(headers: ["work", "strategy", "workers", "units", "unit", "wall s", "speed-up", "reading"])
        var lastWork: LabRow.Work?
        let grouped = rows.filter { $0.work == .cpu } + rows.filter { $0.work == .blocking }
        for row in grouped {
            if let lastWork, lastWork != row.work { table.rows.append([]) }
            lastWork = row.work
            table.rows.append([row.work.rawValue, row.strategy, "\(row.workers)", "\(row.units)", row.unit(),
                               format(row.seconds), format(row.speedup, decimals: 2) + "×", row.reading])
        }
        out += table.rendered()
        out += """

            Parallel: CPU work needs cores, so the speed-up is capped by the core count.
            Concurrent: blocking work only waits, so many workers overlap even on few cores.
            """
        if let note = unitSizeNote(rows) { out += "\n" + note }
        return out
    }

    /// With CPython rows, says that their CPU units are smaller and what one loop iteration
    /// costs on each side, measured: wall times of the two languages are not comparable, and
    /// the reader must not have to guess why.
    static func unitSizeNote(_ rows: [LabRow]) -> String? {
        let sequential = rows.filter { $0.work == .cpu && ($0.strategy == "sequential" || $0.strategy == "py sequential") }
        guard let ours = sequential.first(where: { !$0.isPython }), let theirs = sequential.first(where: \.isPython),
              let ourCost = ours.nanosecondsPerIteration, let theirCost = theirs.nanosecondsPerIteration
        else { return nil }
        return """
            CPU units differ in size: a Multitask unit is \(ours.unit(spelledOut: true)), \
            a CPython unit \(theirs.unit(spelledOut: true)) of the same loop (so that both last a \
            fraction of a second). Compare speed-ups within each language, not wall times across them. One iteration, run \
            sequentially: Multitask \(format(ourCost, decimals: 2)) ns, CPython \(format(theirCost, decimals: 2)) ns \
            (\(Int((theirCost / ourCost).rounded()))× apart).
            """
    }

    /// The rows as one JSON object; `extra` adds members after `rows`, each a key and an array
    /// of already rendered JSON values.
    static func json(_ rows: [LabRow], cores: Int, extra: [(key: String, items: [String])] = []) -> String {
        let items = rows.map { r in
            #"{"work": "\#(r.work.rawValue)", "strategy": "\#(r.strategy)", "workers": \#(r.workers), "units": \#(r.units), "iterationsPerUnit": \#(r.iterationsPerUnit.map(String.init) ?? "null"), "seconds": \#(r.seconds), "speedup": \#(r.speedup), "reading": "\#(escape(r.reading))"}"#
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
