
/// Runs the lab's workloads in CPython (threads and processes) so the GIL is seen, not told.
enum PythonPeer {
    /// The CPython side of the experiment: same shape of work, Python-sized CPU units.
    static let script = #"""
import sys, time
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
    cores, cpu_units, io_units, io_workers, n = map(int, sys.argv[1:6])
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
    for r in rows:
        print("\t".join(str(x) for x in r))
"""#


    /// Loop iterations in one CPython CPU unit: ~0.3 s in CPython, the same loop as
    /// ``Workloads/cpuUnit(_:)``, whose Swift units are larger (``Workloads/cpuUnitIterations``)
    /// since compiled Swift runs it hundreds of times faster. The lab's table says so.
    static let cpuUnitIterations = 3_000_000

    /// The rows the script prints (3 CPU-bound, 2 blocking).
    static let rowCount = 5

    /// Runs the script with `python3`; returns its rows, or throws if Python is missing or fails.
    static func run(cores: Int, cpuUnits: Int, blockingUnits: Int, blockingWorkers: Int) throws -> [LabRow] {
        let arguments = [cores, cpuUnits, blockingUnits, blockingWorkers, cpuUnitIterations].map(String.init)
        let output = try ProgramRunner.outputOf(["python3", "-c", script] + arguments)
        return output.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 5, let workers = Int(f[2]), let units = Int(f[3]), let seconds = Double(f[4]) else { return nil }
            let work: LabRow.Work = f[0] == "cpu" ? .cpu : .blocking
            return LabRow(work: work, strategy: f[1], workers: workers, units: units,
                          iterationsPerUnit: work == .cpu ? cpuUnitIterations : nil, seconds: seconds)
        }
    }
}
