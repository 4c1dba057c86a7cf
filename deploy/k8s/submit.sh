#!/usr/bin/env bash
# Runs ftsim on Kubernetes from an operator's shell: puts the scenarios in a
# ConfigMap, applies the Indexed Job of N shards, waits until it has
# succeeded or failed (never longer: a failed Job stops the wait at once),
# and only after success applies the merge Job and waits for it likewise.
#
#   deploy/k8s/submit.sh batch SCENARIO... # a sweep: batch-job.yaml, batch-merge-job.yaml
#   deploy/k8s/submit.sh run SCENARIO      # an N-1 run: run-job.yaml, run-merge-job.yaml
#
# Uses the current kubectl context and namespace. FTSIM_TIMEOUT (seconds,
# default 86400) bounds each wait; FTSIM_POLL (seconds, default 10) is the
# interval between looks at the Job's conditions. Exit status: 0 merged, 1 a
# Job failed or timed out (its name and the command to see why are
# printed), 2 bad usage.
set -euo pipefail

usage() {
	echo "usage: $0 batch SCENARIO_OR_FOLDER... | $0 run SCENARIO" >&2
	exit 2
}
[[ $# -ge 2 ]] || usage
mode=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
timeout=${FTSIM_TIMEOUT:-86400}
poll=${FTSIM_POLL:-10}

# wait_job NAME: 0 when the Job is Complete, 1 when it Failed or the wait
# timed out.
wait_job() {
	local job=$1 waited=0 conds
	while :; do
		conds=" $(kubectl get job "$job" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type}{" "}{end}') "
		case $conds in
		*" Complete "*)
			echo "job/$job succeeded"
			return 0
			;;
		*" Failed "*)
			echo "job/$job failed: see kubectl describe job/$job and kubectl logs -l job-name=$job" >&2
			return 1
			;;
		esac
		if ((waited >= timeout)); then
			echo "job/$job neither succeeded nor failed within $timeout s; it is still there: kubectl describe job/$job" >&2
			return 1
		fi
		sleep "$poll"
		waited=$((waited + (poll > 0 ? poll : 1)))
	done
}

case $mode in
batch)
	job=ftsim-batch
	from=()
	for p in "$@"; do
		if [[ -d $p ]]; then
			for f in "$p"/*.yaml "$p"/*.yml; do [[ -f $f ]] && from+=(--from-file="$f"); done
		else
			from+=(--from-file="$p")
		fi
	done
	[[ ${#from[@]} -gt 0 ]] || { echo "$0: no scenario files in $*" >&2; exit 2; }
	configmap=ftsim-scenarios
	;;
run)
	[[ $# -eq 1 && -f $1 ]] || usage
	job=ftsim-run
	from=(--from-file="scenario.yaml=$1")
	configmap=ftsim-scenario
	;;
*) usage ;;
esac

kubectl apply -f "$here/results-pvc.yaml"
kubectl create configmap "$configmap" "${from[@]}" --dry-run=client -o yaml | kubectl apply -f -
# A Job's pod template cannot change: replace the Jobs of an earlier run.
kubectl delete job "$job" "$job-merge" --ignore-not-found
kubectl apply -f "$here/$mode-job.yaml"
if ! wait_job "$job"; then
	echo "not merging: the shards of job/$job did not all succeed" >&2
	exit 1
fi
kubectl apply -f "$here/$mode-merge-job.yaml"
wait_job "$job-merge" || exit 1
echo "merged into /results/$mode/merged on the volume ftsim-results"
