#!/usr/bin/env bash
# Submits ftsim to Slurm from a login node: a job array of N shards, then a
# merge job that runs only if every array task succeeded.
#
#   deploy/slurm/submit.sh batch SCENARIOS RESULTS N [--tasks LIST]
#   deploy/slurm/submit.sh run SCENARIO RESULTS N [--tasks LIST] [-- RUN FLAGS...]
#
# batch: the sweep cases of SCENARIOS (files or a folder) spread over N tasks
#        (ftsim batch --shard auto/N --resume).
# run:   the failure cases of one scenario (an N-1 analysis) spread over N
#        tasks (ftsim run --shard auto/N); RUN FLAGS (--seed, --duration,
#        --policy, --replications, --plot-format, --no-plots) go to every
#        task and so into the merged result.
# RESULTS: a folder every node sees; task I writes RESULTS/shard-I, the
#        merge RESULTS/merged, and the Slurm logs go to RESULTS/logs.
# --tasks LIST: submit only these array tasks (e.g. 3,5) and a new merge,
#        to re-run the tasks that failed; the shards already finished are
#        kept and merged as they are.
#
# CPUs per task: FTSIM_CPUS, else the fewest CPUs of a node of the
# partition (sinfo), so every task fits on every node; a count no node has
# is refused here rather than left pending forever. Memory and time limits
# are the partition's defaults unless FTSIM_MEM_PER_CPU (e.g. 1G) or
# FTSIM_TIME (e.g. 04:00:00) say otherwise; SBATCH_PARTITION and
# SBATCH_ACCOUNT choose where it runs, as for sbatch itself. FTSIM is the
# ftsim binary (default: ftsim on PATH); every node must be able to run it.
set -euo pipefail

usage() {
	echo "usage: $0 batch SCENARIOS RESULTS N [--tasks LIST]" >&2
	echo "       $0 run SCENARIO RESULTS N [--tasks LIST] [-- RUN FLAGS...]" >&2
	exit 2
}
fail() {
	echo "$0: $*" >&2
	exit 2
}

[[ $# -ge 4 ]] || usage
mode=$1 scenarios=$2 results=$3 shards=$4
shift 4
[[ $mode == batch || $mode == run ]] || usage
[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "N must be a whole number of shards, 1 or more (got $shards)"
tasks="0-$((shards - 1))"
if [[ ${1:-} == --tasks ]]; then
	[[ $# -ge 2 ]] || usage
	tasks=$2
	shift 2
	[[ $tasks =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] || fail "--tasks $tasks: write task numbers as 3 or 3,5 or 2-4"
	for t in ${tasks//[,-]/ }; do
		((10#$t < shards)) || fail "--tasks $tasks: task $t is not a shard of $shards (0 to $((shards - 1)))"
	done
fi
flags=()
if [[ ${1:-} == -- ]]; then
	shift
	flags=("$@")
elif [[ $# -gt 0 ]]; then
	usage
fi
[[ $mode == run || ${#flags[@]} -eq 0 ]] || fail "flags after -- are for run, not batch"

FTSIM=${FTSIM:-ftsim}
FTSIM=$(command -v "$FTSIM") || fail "no ftsim at '$FTSIM': set FTSIM to the binary"
[[ $FTSIM == /* ]] || FTSIM=$PWD/$FTSIM # the same binary on every node
command -v sbatch >/dev/null || fail "no sbatch on PATH: run this on a Slurm login node"

# Bad input fails here, once, not on every node.
if [[ $mode == run ]]; then
	[[ -f $scenarios ]] || fail "$scenarios: run takes one scenario file"
	"$FTSIM" validate "$scenarios" >/dev/null
else
	files=("$scenarios")
	if [[ -d $scenarios ]]; then
		shopt -s nullglob
		files=("$scenarios"/*.yaml "$scenarios"/*.yml)
		shopt -u nullglob
		[[ ${#files[@]} -gt 0 ]] || fail "$scenarios: no scenario files (*.yaml) in this folder"
	fi
	"$FTSIM" validate "${files[@]}" >/dev/null
fi

# CPUs per task, from the scheduler.
part=()
[[ -n ${SBATCH_PARTITION:-} ]] && part=(--partition "$SBATCH_PARTITION")
node_cpus=$(sinfo --noheader --Node "${part[@]}" --format '%c' | sort -n | uniq)
[[ -n $node_cpus ]] || fail "sinfo lists no node${SBATCH_PARTITION:+ in partition $SBATCH_PARTITION}"
fewest=$(head -n 1 <<<"$node_cpus")
most=$(tail -n 1 <<<"$node_cpus")
cpus=${FTSIM_CPUS:-$fewest}
[[ $cpus =~ ^[1-9][0-9]*$ ]] || fail "FTSIM_CPUS=$cpus is not a whole number of CPUs"
if ((cpus > most)); then
	fail "FTSIM_CPUS=$cpus: no node${SBATCH_PARTITION:+ of partition $SBATCH_PARTITION} has more than $most CPUs; the tasks would wait forever"
fi

mkdir -p "$results/logs"
results=$(cd "$results" && pwd)
extra=()
[[ -n ${FTSIM_MEM_PER_CPU:-} ]] && extra+=(--mem-per-cpu "$FTSIM_MEM_PER_CPU")
[[ -n ${FTSIM_TIME:-} ]] && extra+=(--time "$FTSIM_TIME")

here=$(cd "$(dirname "$0")" && pwd)
array=$(sbatch --parsable --job-name "ftsim-$mode" --array "$tasks" --cpus-per-task "$cpus" "${extra[@]}" \
	--output "$results/logs/shard-%a-%A.log" --export "ALL,FTSIM=$FTSIM" \
	"$here/array-task.sh" "$mode" "$scenarios" "$results" "$shards" -- "${flags[@]}")
array=${array%%;*} # "jobid;cluster" on federated sites

dirs=()
for ((i = 0; i < shards; i++)); do dirs+=("$results/shard-$i"); done
merge=$(sbatch --parsable --job-name ftsim-merge --dependency "afterok:$array" --kill-on-invalid-dep=yes \
	--cpus-per-task 1 "${extra[@]}" --output "$results/logs/merge-%j.log" \
	--wrap "$(printf '%q ' "$FTSIM" merge "${dirs[@]}" --out "$results/merged")")
merge=${merge%%;*}

echo "array job $array: tasks $tasks of $shards shards, $cpus CPUs each"
echo "merge job $merge: runs once every task has succeeded, into $results/merged"
echo "watch: squeue -j $array,$merge; logs: $results/logs"
