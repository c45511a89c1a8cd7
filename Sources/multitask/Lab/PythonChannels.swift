/// Runs the producer/consumer section in CPython: `queue.Queue` between threads,
/// `multiprocessing.Queue` and `multiprocessing.Pipe` between fork children, with the same
/// messages, sentinel and checks as ours.
enum PythonChannels {
    static let script = #"""
import sys, time, threading, queue
import multiprocessing as mp

def produce(put, n):
    for i in range(n):
        put(i)
    put(-1)

def consume(get):
    count = total = 0
    while True:
        v = get()
        if v == -1:
            return count, total
        count += 1
        total += v

def timed(producer, consumer, tally, after_start=lambda: None):
    t = time.perf_counter()
    consumer.start(); producer.start(); after_start()
    result = tally()
    seconds = time.perf_counter() - t
    for w in (producer, consumer):
        w.join(10)
    return seconds, result

def threads(n):
    q, tallies = queue.Queue(), queue.Queue()
    return timed(threading.Thread(target=produce, args=(q.put, n), daemon=True),
                 threading.Thread(target=lambda: tallies.put(consume(q.get)), daemon=True),
                 lambda: tallies.get(timeout=120))

def mp_queue(ctx, n):
    q, tallies = ctx.Queue(), ctx.Queue()
    return timed(ctx.Process(target=produce, args=(q.put, n)),
                 ctx.Process(target=lambda: tallies.put(consume(q.get))),
                 lambda: tallies.get(timeout=120))

def mp_pipe(ctx, n):
    reader, writer = ctx.Pipe(duplex=False)
    tallies = ctx.Queue()
    def consumer():
        writer.close(); tallies.put(consume(reader.recv))
    def producer():
        reader.close(); produce(writer.send, n)
    return timed(ctx.Process(target=producer), ctx.Process(target=consumer),
                 lambda: tallies.get(timeout=120), lambda: (reader.close(), writer.close()))

if __name__ == "__main__":
    n = int(sys.argv[1])
    ctx = mp.get_context("fork")
    runs = [("threads", "py threads + queue.Queue", threads),
            ("queue", "py processes + mp.Queue", lambda k: mp_queue(ctx, k)),
            ("pipe", "py processes + mp.Pipe", lambda k: mp_pipe(ctx, k))]
    for kind, name, run in runs:
        run(100)  # warm-up, as ours warms its put and get paths
        seconds, (count, total) = run(n)
        print("\t".join(str(x) for x in (kind, name, n, seconds, count, total)), flush=True)
"""#

    /// The rows the script prints (one per kind of channel).
    static let rowCount = ChannelRow.Kind.allCases.count

    /// Runs the script for `messages` messages a row; throws if Python is missing or fails.
    /// A row whose tally is wrong comes back as a failed row.
    static func run(messages: Int) throws -> [ChannelRow] {
        let kinds: [String: ChannelRow.Kind] = ["threads": .threads, "queue": .processQueue, "pipe": .processPipe]
        let output = try ProgramRunner.outputOf( ["python3", "-c", script, "\(messages)"])
        return output.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t").map(String.init)
            guard f.count == 6, let kind = kinds[f[0]], let n = Int(f[2]), let seconds = Double(f[3]),
                  let count = Int(f[4]), let sum = Int(f[5]) else { return nil }
            let mismatch = ChannelTally(count: count, sum: sum).mismatch(messages: n)
            return ChannelRow(kind: kind, strategy: f[1], messages: n, seconds: mismatch == nil ? seconds : nil, failure: mismatch)
        }
    }
}
