#!/usr/bin/env bash
# The CPU-bound speed-up of the MPI pool on two "hosts": two network namespaces joined by a
# veth pair (as Tests/MultitaskMPITests/MPITwoHostsTests.swift sets them up), mpirun in the
# first placing rank 0 (the front end) and rank 1 there and rank 2 on the second through a fake
# rsh agent (`ip netns exec`), the ranks talking TCP. Each node rank feeds one local worker
# process, so the pool has one worker per host. The probe's `cpu` scenario times 8 equal
# CPU-bound units one after another on rank 0, then mapped on the pool, and prints the
# speed-up. Both hosts share this machine's CPUs: on 2 CPUs expect about what a local pool of 2
# gives. Needs root and `ip`; everything it sets up is removed on exit.
#
#   swift build -c release --traits MPI --scratch-path .build-mpi-rel --product MultitaskMPIProbe
#   sudo Benchmarks/baselines/mpi_two_hosts_cpu.sh .build-mpi-rel/release/MultitaskMPIProbe [runs]
set -euo pipefail
PROBE=$(realpath "${1:?usage: mpi_two_hosts_cpu.sh PATH_TO_MultitaskMPIProbe [runs]}")
RUNS=${2:-3}
TAG=$$
A=mtcpu-a$TAG B=mtcpu-b$TAG ADDR_A=10.232.0.1 ADDR_B=10.232.0.2
AGENT=$(mktemp /tmp/mtcpu-agent-XXXXXX.sh)
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; rm -f "$AGENT"; }
trap cleanup EXIT

cat >"$AGENT" <<AGENT
#!/bin/sh
host="\$1"; shift
case "\$host" in $ADDR_A) ns=$A;; $ADDR_B) ns=$B;; *) exit 1;; esac
exec ip netns exec "\$ns" /bin/sh -c "\$*"
AGENT
chmod 755 "$AGENT"
ip netns add "$A"; ip netns add "$B"
ip link add "mtca$TAG" type veth peer name "mtcb$TAG"
ip link set "mtca$TAG" netns "$A"; ip link set "mtcb$TAG" netns "$B"
for ns in "$A" "$B"; do ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip -n "$A" addr add "$ADDR_A/24" dev "mtca$TAG"; ip -n "$B" addr add "$ADDR_B/24" dev "mtcb$TAG"
ip -n "$A" link set lo up; ip -n "$A" link set "mtca$TAG" up
ip -n "$B" link set lo up; ip -n "$B" link set "mtcb$TAG" up

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_tcp_if_include=10.232.0.0/24 OMPI_MCA_oob_tcp_if_include=10.232.0.0/24
echo "uptime: $(uptime)"
for run in $(seq "$RUNS"); do
  ip netns exec "$A" timeout -k 5 300 mpirun --host "$ADDR_A:2,$ADDR_B:1" -np 3 --mca btl tcp,self \
    --mca plm_rsh_agent "$AGENT" -x MULTITASK_MPI_WORKERS=1 "$PROBE" cpu launched | grep '^cpu '
done
