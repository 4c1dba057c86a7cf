#!/usr/bin/env bash
# ftsim batch as a Slurm job array, then a merge job that runs only if
# every array task succeeded.
#
# Submit from a login node (not with sbatch):
#   deploy/slurm-array.sh SCENARIOS RESULTS [SHARDS]
# e.g. deploy/slurm-array.sh scenarios/ /shared/ftsim-results 8
#
# SCENARIOS: scenario files or a folder of them; RESULTS: a folder on a file
# system every node sees. Shard I writes RESULTS/shard-I; the merge writes
# RESULTS/merged. Set FTSIM to the ftsim binary if it is not on PATH, and
# SBATCH_* variables or the #SBATCH lines below for your site (partition,
# account, time limit). A task that hits its time limit can be resubmitted
# with the same command: --resume keeps every finished case.
#
#SBATCH --job-name=ftsim-batch
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem-per-cpu=1G
#SBATCH --time=04:00:00
#SBATCH --output=ftsim-batch-%A_%a.log
set -euo pipefail

FTSIM=${FTSIM:-ftsim}

if [[ -z "${SLURM_ARRAY_TASK_ID:-}" ]]; then
	# Submitting: the array (one task per shard), then the dependent merge.
	scenarios=${1:?usage: $0 SCENARIOS RESULTS [SHARDS]}
	results=${2:?usage: $0 SCENARIOS RESULTS [SHARDS]}
	shards=${3:-8}
	[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "$0: SHARDS must be a positive number" >&2; exit 2; }
	# Bad input fails here, not once per node.
	if [[ -d $scenarios ]]; then
		shopt -s nullglob
		files=("$scenarios"/*.yaml "$scenarios"/*.yml)
		shopt -u nullglob
	else
		files=("$scenarios")
	fi
	"$FTSIM" validate "${files[@]}" >/dev/null
	mkdir -p "$results"
	export FTSIM FTSIM_SCENARIOS=$scenarios FTSIM_RESULTS=$results FTSIM_SHARDS=$shards
	array=$(sbatch --parsable --array="0-$((shards - 1))" "$0")
	array=${array%%;*} # "jobid;cluster" on federated sites
	dirs=()
	for ((i = 0; i < shards; i++)); do dirs+=("$results/shard-$i"); done
	merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes \
		--job-name=ftsim-merge --cpus-per-task=1 --time=01:00:00 --output=ftsim-merge-%j.log \
		--wrap="$(printf '%q ' "$FTSIM" merge "${dirs[@]}" --out "$results/merged")")
	echo "submitted array job $array ($shards shards) and merge job ${merge%%;*}"
	echo "results: $results/merged/index.csv once the merge job has run"
	exit 0
fi

# One array task: shard SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN of N.
shards=${FTSIM_SHARDS:-${SLURM_ARRAY_TASK_COUNT:?}}
exec "$FTSIM" batch "${FTSIM_SCENARIOS:?}" \
	--shard "auto/$shards" \
	--out "${FTSIM_RESULTS:?}/shard-$SLURM_ARRAY_TASK_ID" \
	--parallel "${SLURM_CPUS_PER_TASK:-1}" \
	--resume
