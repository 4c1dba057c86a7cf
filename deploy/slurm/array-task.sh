#!/usr/bin/env bash
# One task of the ftsim job array that deploy/slurm/submit.sh submits:
# shard SLURM_ARRAY_TASK_ID of N. Not for use on its own.
#   array-task.sh batch|run SCENARIOS RESULTS N -- [RUN FLAGS...]
#SBATCH --ntasks=1
set -euo pipefail

mode=$1 scenarios=$2 results=$3 shards=$4
shift 4
[[ ${1:-} == -- ]] && shift
FTSIM=${FTSIM:-ftsim}
: "${SLURM_ARRAY_TASK_ID:?array-task.sh runs as a task of a Slurm job array; submit it with submit.sh}"

# As many workers as CPUs the scheduler gave the task.
cpus=${SLURM_CPUS_PER_TASK:-${SLURM_CPUS_ON_NODE:-$(nproc)}}
out="$results/shard-$SLURM_ARRAY_TASK_ID"
echo "ftsim $mode: shard $SLURM_ARRAY_TASK_ID/$shards on $(hostname) with $cpus CPUs"

case $mode in
batch)
	# --resume: a task that is re-run keeps the cases it already finished.
	exec "$FTSIM" batch "$scenarios" --shard "auto/$shards" --out "$out" --parallel "$cpus" --resume
	;;
run)
	exec "$FTSIM" run "$scenarios" --shard "auto/$shards" --out "$out" --parallel "$cpus" "$@"
	;;
*)
	echo "array-task.sh: mode $mode: want batch or run" >&2
	exit 2
	;;
esac
