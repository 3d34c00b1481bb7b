# A REAL single-node Slurm cluster for the tests (Debian's slurm-wlm + munge), all state under one
# folder, on private ports, without cgroups. Source this file, then:
#   slurm_cluster_start FOLDER   starts munged, slurmctld and slurmd with their files under FOLDER
#                                (created; the daemons' sockets in a short /tmp/gcasim-slurm.* folder:
#                                munged's socket and key, because munged wants every folder above its
#                                socket world-executable and a build folder may lie below a 0700 one
#                                such as /root; slurmd's spool, where each job step's slurmstepd makes
#                                a Unix socket, whose path may not exceed 107 bytes: below a deep
#                                build folder the launch fails and Slurm drains the node),
#                                exports SLURM_CONF, waits until node1 is idle; returns 0,
#                                or prints the daemons' last log lines, stops what it started, sets
#                                SLURM_CLUSTER_ERROR to the reason and returns 1
#   slurm_cluster_stop           cancels every job, waits until none is left, stops the daemons,
#                                removes the socket folder
#   slurm_cluster_report         prints what a failed check needs to be understood: node states with
#                                their reasons, the queue, the daemons' last log lines
#   clock_ms / since T0_MS       milliseconds now / seconds since T0_MS ("1.23"), for timings
# Needs root (slurmd runs the jobs as the submitting user; munged and the daemons run as root) and
# the packages slurmctld slurmd slurm-client munge (scripts/setup --all installs them).
#
# No cgroups: containers, chroots and CI sandboxes often have no /sys/fs/cgroup, and slurmd 22.05
# (Debian 12) initialises its cgroup plugin at start whatever the other plugins are: "autodetect"
# (the default) dies with "No filesystem mounted on /sys/fs/cgroup" (and with "Hybrid mode is not
# supported" on a bare cgroup2 mount beside v1 ones). The cluster therefore tracks
# processes by /proc (proctrack/linuxproc), binds no tasks (task/none), gathers no accounting
# (jobacct_gather/none), and its cgroup.conf names cgroup/v1 explicitly, whose plugin only reads
# the mount point when a cgroup is made, which none of these plugins does.

clock_ms() { date +%s%3N; }
since() { local d=$(( $(clock_ms) - $1 )); printf '%d.%02d' $((d / 1000)) $((d % 1000 / 10)); }

_slurm_dir="" _slurm_sock_dir="" _slurm_munge_pid="" _slurm_ctld_pid="" _slurm_slurmd_pid=""

# Slurm could not start for reason $1: prints the daemons' last log lines, stops what was started.
_slurm_fail() {
    SLURM_CLUSTER_ERROR=$1
    local f
    for f in "$_slurm_dir"/log/*; do
        [ -f "${f%.out}.log" ] && continue   # a daemon's stdout repeats its log file
        [ -s "$f" ] && { echo "--- $f (last lines)"; tail -n 15 "$f"; }
    done
    slurm_cluster_stop >/dev/null
    return 1
}

# Runs "$@" (a start step that prints its failure's reason); on failure, _slurm_fail with that reason.
_slurm_step() {
    "$@" >"$_slurm_dir/step.out" || _slurm_fail "$(cat "$_slurm_dir/step.out")"
}

# Fails unless every folder from $1 up to / is world-executable (munged refuses such a socket path).
_slurm_check_socket_path() {
    local d=$1
    while [ "$d" != / ]; do
        [ "$(( $(stat -c '0%a' "$d") & 0111 ))" -eq $((0111)) ] ||
            { echo "$d (on the munge socket's path) is not world-executable (mode $(stat -c %a "$d"))"; return 1; }
        d=$(dirname "$d")
    done
}

# Fails unless slurmstepd's socket in the spool folder $1 fits a Unix socket path (107 bytes):
# NODE_JOBID.STEPID with 10-digit ids, the longest that the tests' job ids can make.
_slurm_check_spool_path() {
    local sock="$1/node1_4294967294.4294967291"
    [ "${#sock}" -le 107 ] ||
        { echo "slurmd's spool $1 is too deep: a job step's socket path would be ${#sock} bytes (at most 107)"; return 1; }
}

# Starts munged with its socket, key and seed in $2, its log and pid file under $1.
_slurm_start_munge() {
    local dir=$1 mdir=$2 sock=$2/munge.socket
    mungekey -c -k "$mdir/munge.key" >"$dir/log/mungekey.out" 2>&1 ||
        { echo "mungekey -c failed: $(cat "$dir/log/mungekey.out")"; return 1; }
    chmod 600 "$mdir/munge.key"
    munged -F --socket="$sock" --key-file="$mdir/munge.key" --log-file="$dir/log/munged.log" \
        --pid-file="$dir/run/munged.pid" --seed-file="$mdir/munged.seed" --origin=127.0.0.1 \
        >"$dir/log/munged.out" 2>&1 &
    _slurm_munge_pid=$!
    local _
    for _ in $(seq 50); do
        [ -S "$sock" ] && return 0
        kill -0 "$_slurm_munge_pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "munged did not create its socket $sock"
    return 1
}

# Writes $1/slurm.conf and $1/cgroup.conf for node1 as slurmd sees this machine.
_slurm_write_conf() {
    local dir=$1 ports node_line node_hw mem
    # Two free private ports (several test clusters may run at once).
    ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])') && [ -n "$ports" ] || { echo "no free TCP ports on 127.0.0.1"; return 1; }
    # The node as slurmd sees it; memory a little under what it reports.
    node_line=$(slurmd -C 2>"$dir/log/slurmd-C.err" | head -1)
    node_hw=$(echo "$node_line" | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
    mem=$(echo "$node_line" | tr ' ' '\n' | sed -n 's/^RealMemory=//p')
    [ -n "$node_hw" ] && [ -n "$mem" ] ||
        { echo "slurmd -C printed no node description: $node_line $(cat "$dir/log/slurmd-C.err")"; return 1; }
    # localhost(127.0.0.1): a minimal root has no /etc/hosts, and where 'localhost' does not resolve
    # slurmd cannot register and every client retries for minutes.
    cat > "$dir/slurm.conf" <<EOF
ClusterName=gcasimtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$_slurm_sock_dir/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$_slurm_sock_dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=node1 NodeAddr=127.0.0.1 ${node_hw}RealMemory=$((mem * 9 / 10)) State=UNKNOWN
PartitionName=test Nodes=node1 Default=YES MaxTime=INFINITE State=UP
EOF
    echo "CgroupPlugin=cgroup/v1" > "$dir/cgroup.conf"
    echo "slurm cluster: ports ${ports% *}/${ports#* }; $node_hw"
}

slurm_cluster_start() {
    local dir cmd state _
    SLURM_CLUSTER_ERROR=""
    for cmd in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel python3; do
        command -v "$cmd" >/dev/null || {
            SLURM_CLUSTER_ERROR="'$cmd' not found: install the Slurm test dependencies"
            SLURM_CLUSTER_ERROR+=" (apt-get install slurmctld slurmd slurm-client munge, or scripts/setup --all)"
            return 1
        }
    done
    [ "$(id -u)" -eq 0 ] || { SLURM_CLUSTER_ERROR="it must run as root (munged, slurmd)"; return 1; }
    mkdir -p "$1" && dir=$(cd "$1" && pwd) || { SLURM_CLUSTER_ERROR="cannot create $1"; return 1; }
    _slurm_dir=$dir
    mkdir -p "$dir/state" "$dir/log" "$dir/run"
    _slurm_sock_dir=$(mktemp -d /tmp/gcasim-slurm.XXXXXX) || { _slurm_fail "cannot create a folder in /tmp"; return 1; }
    chmod 755 "$_slurm_sock_dir"   # mktemp -d gives 0700
    _slurm_step _slurm_check_socket_path "$_slurm_sock_dir" || return 1
    mkdir "$_slurm_sock_dir/spool"
    _slurm_step _slurm_check_spool_path "$_slurm_sock_dir/spool" || return 1
    _slurm_step _slurm_start_munge "$dir" "$_slurm_sock_dir" || return 1
    _slurm_step _slurm_write_conf "$dir" || return 1
    local conf_line
    conf_line=$(cat "$dir/step.out")
    export SLURM_CONF=$dir/slurm.conf
    slurmctld -D >"$dir/log/slurmctld.out" 2>&1 &
    _slurm_ctld_pid=$!
    slurmd -D -N node1 >"$dir/log/slurmd.out" 2>&1 &
    _slurm_slurmd_pid=$!
    # Up to 30 s; a client that cannot reach slurmctld retries for minutes, hence its own timeout.
    local deadline=$(( $(clock_ms) + 30000 ))
    while [ "$(clock_ms)" -lt "$deadline" ]; do
        state=$(timeout 5 sinfo -h -N -n node1 -o %t 2>/dev/null)
        [ "$state" = idle ] && break
        kill -0 "$_slurm_ctld_pid" 2>/dev/null || { _slurm_fail "slurmctld exited"; return 1; }
        kill -0 "$_slurm_slurmd_pid" 2>/dev/null || { _slurm_fail "slurmd exited"; return 1; }
        sleep 0.1
    done
    [ "$state" = idle ] || { _slurm_fail "node1 not idle after 30 s (sinfo state: '${state:-none}')"; return 1; }
    echo "$conf_line; node1 idle"
}

slurm_cluster_report() {
    [ -n "$_slurm_ctld_pid" ] || return 0
    echo "--- Slurm state for the failure above:"
    timeout 5 sinfo -N -o '%N %T %E' 2>&1
    timeout 5 squeue -o '%i %T %r %N' 2>&1
    local f
    for f in "$_slurm_dir"/log/slurmctld.log "$_slurm_dir"/log/slurmd.log; do
        [ -s "$f" ] && { echo "--- $f (last 40 lines)"; tail -n 40 "$f"; }
    done
}

slurm_cluster_stop() {
    local t0=$(clock_ms) pid _
    [ -n "$_slurm_sock_dir$_slurm_munge_pid$_slurm_ctld_pid$_slurm_slurmd_pid" ] || return 0
    if [ -n "$_slurm_ctld_pid" ] && kill -0 "$_slurm_ctld_pid" 2>/dev/null; then
        # Running job steps survive slurmd: cancel every job and wait until none remain first.
        timeout 5 scancel --quiet --user="$(id -un)" 2>/dev/null
        for _ in $(seq 100); do
            [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    # The reverse of the start.
    for pid in $_slurm_slurmd_pid $_slurm_ctld_pid $_slurm_munge_pid; do
        kill "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && { echo "warning: pid $pid ignored SIGTERM; SIGKILL"; kill -9 "$pid"; }
        wait "$pid" 2>/dev/null
    done
    [ -n "$_slurm_sock_dir" ] && rm -rf "$_slurm_sock_dir"
    _slurm_sock_dir="" _slurm_munge_pid="" _slurm_ctld_pid="" _slurm_slurmd_pid=""
    echo "slurm teardown: $(since "$t0") s"
}
