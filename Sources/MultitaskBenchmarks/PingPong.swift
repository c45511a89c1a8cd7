import Multitask

/// The harness of the ping-pong measurements, shared by ours and the peers: a partner thread
/// answers each ping; only the signalling primitive differs.
public enum PingPong {
    /// The median round trip, in microseconds, over `roundTrips` samples after 100 warm-up
    /// round trips: `ping` (on this thread) wakes the partner and waits for its answer, `pong`
    /// (on the partner thread) waits for a ping and answers it.
    static func medianRoundTripMicroseconds(roundTrips: Int, ping: () -> Void, pong: @escaping @Sendable () -> Void) -> Double {
        let warmUp = 100
        let partner = Thread(name: "pong") {
            for _ in 0..<(warmUp + roundTrips) { pong() }
        }
        partner.start()
        for _ in 0..<warmUp { ping() }
        var samples = [Double](repeating: 0, count: roundTrips)
        for i in 0..<roundTrips {
            samples[i] = Stopwatch.seconds(ping) * 1e6
        }
        partner.join()
        return samples.median
    }

    /// Ours: two ``Event``s (set → wait → clear), the metric `event_pingpong_rtt`.
    public static func eventMicroseconds(roundTrips: Int) -> Double {
        let ping = Event(), pong = Event()
        return medianRoundTripMicroseconds(roundTrips: roundTrips, ping: {
            ping.set(); pong.wait(); pong.clear()
        }, pong: {
            ping.wait(); ping.clear(); pong.set()
        })
    }
}
