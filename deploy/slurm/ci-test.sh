#!/usr/bin/env bash
# Runs deploy/slurm on a real Slurm: installs Slurm and MUNGE from Debian's
# packages (if they are not there), starts a one-node cluster on 127.0.0.1
# (munged, slurmctld and slurmd as plain processes, no systemd), and
# checks, as an operator would use it:
#   1. a sweep submitted as a job array with a dependent merge equals an
#      unsharded `ftsim batch`, byte for byte;
#   2. an N-1 analysis submitted as a sharded `ftsim run` with a dependent
#      merge equals the unsharded `ftsim run`, byte for byte (results.json,
#      runs.csv, timeseries.csv, charts, report.html);
#   3. one task re-run alone (submit.sh --tasks 2) writes shard 2 again and
#      the new merge equals the unsharded run;
#   4. a failing array cancels its merge (afterok, --kill-on-invalid-dep);
#   5. a CPU count no node has is refused at submission.
# Every daemon it started is stopped on exit, whatever happens. Needs root.
# Run from anywhere: deploy/slurm/ci-test.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$SECONDS
say() { printf '[slurm %3ds] %s\n' $((SECONDS - start)) "$*"; }
die() {
	say "FAIL: $*"
	exit 1
}

[[ $(id -u) -eq 0 ]] || die "needs root: it installs Slurm and starts its daemons"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
	! command -v munged >/dev/null; then
	say "installing slurmctld, slurmd, slurm-client and munge from Debian's packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null ||
		apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
say "$(slurmctld -V), munge $(munged -V 2>&1 | awk '{print $2; exit}')"

work=$(mktemp -d /tmp/ftsim-slurm-ci.XXXXXX)
chmod 700 "$work"
mkdir -p "$work"/{munge,state,spool,log,bin}
export SLURM_CONF=$work/slurm.conf

pidof_file() { [[ -s $1 ]] && cat "$1"; }
stop_daemons() {
	local status=$?
	set +e
	if [[ -s $work/slurmctld.pid ]]; then
		scancel --quiet --user root 2>/dev/null # our private cluster's jobs only
	fi
	local f p
	for f in slurmd.pid slurmctld.pid munge/munged.pid; do
		p=$(pidof_file "$work/$f") || continue
		kill "$p" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
	done
	if ((status != 0)); then
		for f in "$work"/log/*.log "$work"/*/logs/*.log; do
			[[ -f $f ]] || continue
			echo "--- $f (last lines)"
			tail -n 15 "$f"
		done
	fi
	rm -rf "$work"
	say "daemons stopped"
	exit "$status"
}
trap stop_daemons EXIT
trap 'exit 130' INT TERM

# MUNGE: a fresh key and socket of our own.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --socket="$work/munge/munge.socket" --key-file="$work/munge/munge.key" \
	--pid-file="$work/munge/munged.pid" --log-file="$work/log/munged.log" --seed-file="$work/munge/munged.seed"

# One node on 127.0.0.1 with this machine's CPUs and memory, on ports of
# its own so it cannot meet another Slurm.
node=$(slurmd -C | head -n 1 | sed -e 's/^NodeName=[^ ]*/NodeName=ftsim-ci NodeAddr=127.0.0.1 NodeHostname=localhost/')
cpus=$(sed -e 's/.* CPUs=\([0-9]*\).*/\1/' <<<"$node")
cat >"$SLURM_CONF" <<EOF
ClusterName=ftsimci
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$work/munge/munge.socket
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=600
$node State=UNKNOWN
PartitionName=ci Nodes=ftsim-ci Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -c
slurmd -N ftsim-ci
for _ in $(seq 100); do
	state=$(sinfo --noheader --nodes ftsim-ci --format '%t' 2>/dev/null || true)
	[[ $state == idle ]] && break
	sleep 0.2
done
[[ ${state:-} == idle ]] || die "the node did not come up (state '${state:-none}')"
say "one-node cluster up: ftsim-ci, $cpus CPUs"

go build -o "$work/bin/ftsim" ./cmd/ftsim
export FTSIM=$work/bin/ftsim
sweep=deploy/slurm/testdata/ci-sweep.yaml
nm1=deploy/slurm/testdata/ci-n-1.yaml

# job_state ID prints the states of a job (one per array task).
job_state() { scontrol --oneliner show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
# wait_done ID... waits until no task of the jobs is pending or running.
wait_done() {
	local id
	for _ in $(seq 900); do
		local busy=0
		for id in "$@"; do
			if job_state "$id" | grep -qE 'PENDING|RUNNING|CONFIGURING|COMPLETING'; then busy=1; fi
		done
		((busy)) || return 0
		sleep 0.2
	done
	die "jobs $* still not done after 180 s"
}
submit() { # prints "ARRAY MERGE"
	local out
	out=$(deploy/slurm/submit.sh "$@") || die "submit.sh $* failed"
	echo "$out" >&2
	echo "$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<<"$out") $(sed -n 's/^merge job \([0-9]*\):.*/\1/p' <<<"$out")"
}
expect_completed() { # ID...
	local id s
	for id in "$@"; do
		s=$(job_state "$id" | sort -u | tr '\n' ' ')
		[[ $s == "COMPLETED " ]] || die "job $id ended $s, not COMPLETED"
	done
}

# 5. Refused at submission: more CPUs per task than any node has.
if out=$(FTSIM_CPUS=$((cpus + 1)) deploy/slurm/submit.sh batch "$sweep" "$work/none" 2 2>&1); then
	die "submit.sh accepted FTSIM_CPUS=$((cpus + 1)) on a $cpus-CPU node"
fi
grep -q "no node has more than $cpus CPUs" <<<"$out" || die "unexpected refusal: $out"
say "FTSIM_CPUS=$((cpus + 1)) refused: $out"

# 1 and 2: a sweep over 3 tasks and an N-1 run over 4, submitted together.
read -r sw_array sw_merge < <(submit batch "$sweep" "$work/sweep" 3)
read -r run_array run_merge < <(submit run "$nm1" "$work/n-1" 4)
[[ -n ${sw_merge:-} && -n ${run_merge:-} ]] || die "submission failed"
# CPUs per task come from the scheduler (sinfo), not from the script.
got=$(scontrol --oneliner show job "$run_array" | sed -n 's/.*CPUs\/Task=\([0-9]*\).*/\1/p' | sort -u)
[[ $got == "$cpus" ]] || die "the array asks for '$got' CPUs per task, the node has $cpus"
say "submitted: sweep $sw_array -> merge $sw_merge, N-1 run $run_array -> merge $run_merge"

"$FTSIM" batch "$sweep" --out "$work/whole-sweep" --parallel 1 >/dev/null
"$FTSIM" run "$nm1" --out "$work/whole-n-1" --parallel 1 >/dev/null
say "unsharded batch and run written"

wait_done "$sw_array" "$sw_merge" "$run_array" "$run_merge"
expect_completed "$sw_array" "$sw_merge" "$run_array" "$run_merge"
diff -r "$work/whole-sweep" "$work/sweep/merged" || die "the merged sweep differs from the unsharded batch"
diff -r "$work/whole-n-1" "$work/n-1/merged" || die "the merged N-1 run differs from the unsharded run"
say "merged sweep = unsharded batch ($(find "$work/sweep/merged" -type f | wc -l) files)"
say "merged N-1 run = unsharded run ($(ls "$work/n-1/merged" | wc -l) files)"

# 3. Task 2 lost and re-run alone: it must run shard 2 again.
rm -rf "$work/n-1/shard-2" "$work/n-1/merged"
read -r re_array re_merge < <(submit run "$nm1" "$work/n-1" 4 --tasks 2)
[[ -n ${re_merge:-} ]] || die "submission of task 2 failed"
wait_done "$re_array" "$re_merge"
expect_completed "$re_array" "$re_merge"
grep -q '"shard": 2,' "$work/n-1/shard-2/shard.json" || die "the re-run task did not write shard 2"
diff -r "$work/whole-n-1" "$work/n-1/merged" || die "after re-running task 2, the merge differs from the unsharded run"
say "task 2 re-run alone (SLURM_ARRAY_TASK_MIN=2) wrote shard 2; merge = unsharded run"

# 4. Every task fails (a policy that does not exist): the merge is cancelled.
read -r bad_array bad_merge < <(submit run "$nm1" "$work/bad" 2 -- --policy no_such_policy)
[[ -n ${bad_merge:-} ]] || die "submission of the failing array failed"
wait_done "$bad_array" "$bad_merge"
job_state "$bad_array" | grep -q FAILED || die "the bad array did not fail: $(job_state "$bad_array" | tr '\n' ' ')"
[[ $(job_state "$bad_merge") == CANCELLED ]] || die "the merge after a failed array ended $(job_state "$bad_merge"), not CANCELLED"
[[ ! -e $work/bad/merged ]] || die "the merge after a failed array wrote $work/bad/merged"
say "failed array: merge cancelled, nothing merged"

say "ok in $((SECONDS - start)) s"
