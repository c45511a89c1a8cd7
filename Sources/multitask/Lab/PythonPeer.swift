import Foundation

/// Runs the lab's workloads in CPython (threads and processes) so the GIL is seen, not told.
enum PythonPeer {
    /// The CPython side of the experiment: same shape of work, Python-sized CPU units.
    static let script = #"""
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
import multiprocessing as mp

def cpu_unit(n):
    s = 0
    for i in range(n):
        s += i * i % 7
    return s

def io_unit(_):
    time.sleep(0.05)

def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t

if __name__ == "__main__":
    cores, cpu_units, io_units, io_workers = map(int, sys.argv[1:5])
    n = 3_000_000
    units = [n] * cpu_units
    cpu_unit(n // 10)
    rows = []
    rows.append(("cpu", "py sequential", 1, cpu_units, timed(lambda: [cpu_unit(u) for u in units])))
    with ThreadPoolExecutor(cores) as ex:
        rows.append(("cpu", "py threads", cores, cpu_units, timed(lambda: list(ex.map(cpu_unit, units)))))
    with mp.get_context("fork").Pool(cores) as pool:
        pool.map(io_unit, range(0))
        rows.append(("cpu", "py processes", cores, cpu_units, timed(lambda: pool.map(cpu_unit, units, chunksize=1))))
    rows.append(("blocking", "py sequential", 1, io_units, timed(lambda: [io_unit(i) for i in range(io_units)])))
    with ThreadPoolExecutor(io_workers) as ex:
        rows.append(("blocking", "py threads", io_workers, io_units, timed(lambda: list(ex.map(io_unit, range(io_units))))))
    print(json.dumps(rows))
"""#

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs the script with `python3`; returns its rows, or throws if Python is missing or fails.
    static func run(cores: Int, cpuUnits: Int, blockingUnits: Int, blockingWorkers: Int) throws -> [LabRow] {
        let process = Foundation.Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, "\(cores)", "\(cpuUnits)", "\(blockingUnits)", "\(blockingWorkers)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw Failure(description: "cannot start python3: \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with status \(process.terminationStatus)")
        }
        guard let rows = try JSONSerialization.jsonObject(with: data) as? [[Any]] else {
            throw Failure(description: "unexpected output from python3")
        }
        return rows.compactMap { r in
            guard r.count == 5, let work = r[0] as? String, let strategy = r[1] as? String,
                  let workers = r[2] as? Int, let units = r[3] as? Int, let seconds = r[4] as? Double else { return nil }
            return LabRow(work: work == "cpu" ? .cpu : .blocking, strategy: strategy, workers: workers, units: units, seconds: seconds)
        }
    }
}
