import Foundation
import Testing

/// Two "hosts" on one machine: two network namespaces joined by a veth pair, `mpirun` in the
/// first placing rank 0 there and ranks 1-2 in the second through a fake rsh agent (`ip netns
/// exec`), the ranks talking TCP over the veth. Needs root and `ip`; everything it sets up
/// (namespaces, link, agent script) is removed at the end.
@Suite("MPI pool on two hosts", .serialized, .timeLimit(.minutes(5)),
       .enabled(if: MPIRun.available && getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip"), "needs root, ip, mpirun and the probe"))
struct MPITwoHostsTests {
    @Test("map in order and trap/throw/timeout failing alone, with ranks on another host", arguments: ["map", "failures"])
    func acrossHosts(scenario: String) throws {
        let hosts = try NetnsHosts()
        defer { hosts.remove() }
        let run = try MPIRun.run(
            ["ip", "netns", "exec", hosts.first, "timeout", "-k", "5", "120", "mpirun", "--host", "\(hosts.firstAddress):1,\(hosts.secondAddress):2",
             "-np", "3", "--mca", "btl", "tcp,self", "--mca", "plm_rsh_agent", hosts.agent, "-x", "MULTITASK_MPI_WORKERS=2",
             try #require(MPIRun.probe), scenario, "launched"],
            environment: ["OMPI_MCA_btl_tcp_if_include": "10.231.0.0/24", "OMPI_MCA_oob_tcp_if_include": "10.231.0.0/24"]
        )
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("finalized"), "\(run.output)")
        if scenario == "map" {
            for check in ["map1", "map7", "starmap", "imap"] { #expect(run.lines(check) == ["true"], "\(check): \(run.output)") }
        } else {
            #expect(run.lines("trap").first?.hasPrefix("workerCrashed") == true, "\(run.output)")
            #expect(run.lines("throw").first?.hasPrefix("taskFailed") == true, "\(run.output)")
            #expect(run.lines("timeout").first?.hasPrefix("taskTimedOut") == true, "\(run.output)")
            #expect(run.lines("others") == ["true"], "\(run.output)")
        }
    }
}

/// Two network namespaces joined by a veth pair, with a fake rsh agent that runs a command "on"
/// a host by its address.
struct NetnsHosts {
    let first: String, second: String
    let firstAddress = "10.231.0.1", secondAddress = "10.231.0.2"
    let agent: String

    init() throws {
        let tag = String(getpid())
        first = "mtmpi-a\(tag)"
        second = "mtmpi-b\(tag)"
        agent = FileManager.default.temporaryDirectory.appendingPathComponent("mtmpi-agent-\(tag).sh").path
        let script = """
            #!/bin/sh
            host="$1"; shift
            case "$host" in \(firstAddress)) ns=\(first);; \(secondAddress)) ns=\(second);; *) exit 1;; esac
            exec ip netns exec "$ns" /bin/sh -c "$*"

            """
        try script.write(toFile: agent, atomically: true, encoding: .utf8)
        chmod(agent, 0o755)
        let (linkA, linkB) = ("mtva\(tag)", "mtvb\(tag)")
        let steps = [
            "ip netns add \(first)", "ip netns add \(second)",
            "ip link add \(linkA) type veth peer name \(linkB)",
            "ip link set \(linkA) netns \(first)", "ip link set \(linkB) netns \(second)",
            "ip netns exec \(first) sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
            "ip netns exec \(second) sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
            "ip -n \(first) addr add \(firstAddress)/24 dev \(linkA)", "ip -n \(second) addr add \(secondAddress)/24 dev \(linkB)",
            "ip -n \(first) link set lo up", "ip -n \(first) link set \(linkA) up",
            "ip -n \(second) link set lo up", "ip -n \(second) link set \(linkB) up",
        ]
        for step in steps {
            let run = try MPIRun.run(["sh", "-c", step])
            guard run.status == 0 else {
                remove()
                throw NetnsSetupError(step: step, output: run.output)
            }
        }
    }

    /// Deletes both namespaces (and so the veth pair) and the agent.
    func remove() {
        _ = try? MPIRun.run(["sh", "-c", "ip netns del \(first) 2>/dev/null; ip netns del \(second) 2>/dev/null; true"])
        unlink(agent)
    }
}

/// A step of the namespace setup failed.
struct NetnsSetupError: Error, CustomStringConvertible {
    var step: String
    var output: String
    var description: String { "\(step): \(output)" }
}
