package k8s

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// decodeStrict decodes every document of a manifest into its k8s.io/api
// type, refusing unknown fields, wrong types and kinds other than a Job or
// a PersistentVolumeClaim.
func decodeStrict(name string, data []byte) ([]any, error) {
	var out []any
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i+1, err)
		}
		var obj any
		switch tm.APIVersion + " " + tm.Kind {
		case "batch/v1 Job":
			obj = &batchv1.Job{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		default:
			return nil, fmt.Errorf("%s: document %d: unexpected kind %q %q", name, i+1, tm.APIVersion, tm.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i+1, err)
		}
		out = append(out, obj)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no documents", name)
	}
	return out, nil
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// readJob decodes a manifest that holds one Job.
func readJob(t *testing.T, name string) (*batchv1.Job, []byte) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	job, err := jobOf(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return job, data
}

func jobOf(name string, data []byte) (*batchv1.Job, error) {
	objs, err := decodeStrict(name, data)
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s: %d documents, want one Job", name, len(objs))
	}
	job, ok := objs[0].(*batchv1.Job)
	if !ok {
		return nil, fmt.Errorf("%s: a %T, not a Job", name, objs[0])
	}
	return job, nil
}

func ftsimContainer(job *batchv1.Job) (*corev1.Container, error) {
	cs := job.Spec.Template.Spec.Containers
	if len(cs) != 1 || cs[0].Name != "ftsim" {
		return nil, fmt.Errorf("job %s: want one container named ftsim", job.Name)
	}
	return &cs[0], nil
}

// flagValue returns the value after flag in args.
func flagValue(args []string, flag string) (string, bool) {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return "", false
	}
	return args[i+1], true
}

// shardJob is what checkShardJob learns of an Indexed Job of shards.
type shardJob struct {
	n      int
	outDir string // the --out value, $(JOB_COMPLETION_INDEX) in it
	claim  string
}

// checkShardJob holds an Indexed Job of ftsim shards to the rules a
// sharded ftsim needs.
func checkShardJob(job *batchv1.Job) (shardJob, error) {
	var sj shardJob
	s := job.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion {
		return sj, fmt.Errorf("job %s: completionMode must be Indexed (each pod needs its own JOB_COMPLETION_INDEX)", job.Name)
	}
	if s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		return sj, fmt.Errorf("job %s: completions and parallelism must be set and equal", job.Name)
	}
	pod := s.Template.Spec
	if pod.RestartPolicy != corev1.RestartPolicyNever {
		return sj, fmt.Errorf("job %s: restartPolicy %q: want Never (podFailurePolicy and per-index retries need it)", job.Name, pod.RestartPolicy)
	}
	c, err := ftsimContainer(job)
	if err != nil {
		return sj, err
	}
	shard, ok := flagValue(c.Args, "--shard")
	n, err := strconv.Atoi(strings.TrimPrefix(shard, "auto/"))
	if !ok || !strings.HasPrefix(shard, "auto/") || err != nil {
		return sj, fmt.Errorf("job %s: args want --shard auto/N, have %q", job.Name, shard)
	}
	if n != int(*s.Completions) {
		return sj, fmt.Errorf("job %s: --shard auto/%d but completions = parallelism = %d", job.Name, n, *s.Completions)
	}
	sj.n = n
	if sj.outDir, ok = flagValue(c.Args, "--out"); !ok || path.Base(sj.outDir) != "shard-$(JOB_COMPLETION_INDEX)" {
		return sj, fmt.Errorf("job %s: --out %q: want a folder shard-$(JOB_COMPLETION_INDEX)", job.Name, sj.outDir)
	}
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	idx := env["JOB_COMPLETION_INDEX"]
	if idx.ValueFrom == nil || idx.ValueFrom.FieldRef == nil ||
		idx.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		return sj, fmt.Errorf("job %s: env JOB_COMPLETION_INDEX must come from the job-completion-index annotation", job.Name)
	}
	par, _ := flagValue(c.Args, "--parallel")
	m := regexp.MustCompile(`^\$\((\w+)\)$`).FindStringSubmatch(par)
	if m == nil {
		return sj, fmt.Errorf("job %s: --parallel %q: want $(VAR), VAR the pod's CPU request", job.Name, par)
	}
	cpu := env[m[1]]
	if cpu.ValueFrom == nil || cpu.ValueFrom.ResourceFieldRef == nil || cpu.ValueFrom.ResourceFieldRef.Resource != "requests.cpu" {
		return sj, fmt.Errorf("job %s: --parallel $(%s): %s must be the resourceFieldRef requests.cpu", job.Name, m[1], m[1])
	}
	req, ok := c.Resources.Requests[corev1.ResourceCPU]
	if !ok || req.MilliValue() < 1000 {
		return sj, fmt.Errorf("job %s: request at least one whole CPU (--parallel is the request)", job.Name)
	}
	failsOn2 := false
	if pfp := s.PodFailurePolicy; pfp != nil {
		for _, r := range pfp.Rules {
			if r.Action == batchv1.PodFailurePolicyActionFailJob && r.OnExitCodes != nil &&
				r.OnExitCodes.Operator == batchv1.PodFailurePolicyOnExitCodesOpIn && slices.Contains(r.OnExitCodes.Values, 2) {
				failsOn2 = true
			}
		}
	}
	if !failsOn2 {
		return sj, fmt.Errorf("job %s: podFailurePolicy must fail the Job on exit status 2 (bad input: retries cannot help)", job.Name)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, vm := range c.VolumeMounts {
		mounts[vm.Name] = vm
	}
	for _, v := range pod.Volumes {
		vm, mounted := mounts[v.Name]
		switch {
		case !mounted:
			return sj, fmt.Errorf("job %s: volume %s is not mounted", job.Name, v.Name)
		case v.ConfigMap != nil:
			if !vm.ReadOnly || !strings.HasPrefix(c.Args[1], vm.MountPath) {
				return sj, fmt.Errorf("job %s: the scenarios (%s) must come from the read-only ConfigMap mount %s", job.Name, c.Args[1], vm.MountPath)
			}
		case v.PersistentVolumeClaim != nil:
			sj.claim = v.PersistentVolumeClaim.ClaimName
			if !strings.HasPrefix(sj.outDir, vm.MountPath+"/") {
				return sj, fmt.Errorf("job %s: --out %s is not on the results volume (%s)", job.Name, sj.outDir, vm.MountPath)
			}
		}
	}
	if sj.claim == "" {
		return sj, fmt.Errorf("job %s: no shared results volume", job.Name)
	}
	return sj, nil
}

// checkMergeJob holds a merge Job to its shard Job: one folder per shard,
// the same volume and image, no restarts in place.
func checkMergeJob(merge, shards *batchv1.Job, sj shardJob) error {
	c, err := ftsimContainer(merge)
	if err != nil {
		return err
	}
	sc, _ := ftsimContainer(shards)
	if c.Image != sc.Image {
		return fmt.Errorf("job %s: image %s, but the shards ran %s: merge with the same ftsim", merge.Name, c.Image, sc.Image)
	}
	if merge.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		return fmt.Errorf("job %s: restartPolicy must be Never", merge.Name)
	}
	want := []string{"merge"}
	for i := 0; i < sj.n; i++ {
		want = append(want, strings.ReplaceAll(sj.outDir, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i)))
	}
	want = append(want, "--out", path.Join(path.Dir(sj.outDir), "merged"))
	if got := c.Args; len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		return fmt.Errorf("job %s: args %q, want %q (one folder per shard of %s)", merge.Name, got, want, shards.Name)
	}
	claim := ""
	for _, v := range merge.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			claim = v.PersistentVolumeClaim.ClaimName
		}
	}
	if claim != sj.claim {
		return fmt.Errorf("job %s: volume claim %q, the shards wrote to %q", merge.Name, claim, sj.claim)
	}
	return nil
}

var pairs = []struct{ shards, merge string }{
	{"batch-job.yaml", "batch-merge-job.yaml"},
	{"run-job.yaml", "run-merge-job.yaml"},
}

// TestManifests: every manifest decodes strictly into the k8s.io/api
// types, and each Indexed Job and its merge follow the rules.
func TestManifests(t *testing.T) {
	data, err := os.ReadFile("results-pvc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	objs, err := decodeStrict("results-pvc.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	pvc := objs[0].(*corev1.PersistentVolumeClaim)
	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("the results claim must be ReadWriteMany: every shard pod mounts it at once")
	}
	for _, p := range pairs {
		shards, _ := readJob(t, p.shards)
		merge, _ := readJob(t, p.merge)
		sj, err := checkShardJob(shards)
		if err != nil {
			t.Fatal(err)
		}
		if sj.claim != pvc.Name {
			t.Errorf("%s writes to claim %s, results-pvc.yaml makes %s", p.shards, sj.claim, pvc.Name)
		}
		if err := checkMergeJob(merge, shards, sj); err != nil {
			t.Fatal(err)
		}
		if merge.Name != shards.Name+"-merge" {
			t.Errorf("%s: the merge of %s must be named %s-merge (submit.sh waits for it by name)", p.merge, shards.Name, shards.Name)
		}
	}
}

// TestManifestChecksFail: the checks reject manifests broken the ways an
// edit breaks them.
func TestManifestChecksFail(t *testing.T) {
	_, job := readJob(t, "batch-job.yaml")
	_, mergeData := readJob(t, "batch-merge-job.yaml")
	for _, tc := range []struct {
		name, from, to string
		merge          bool
		want           string
	}{
		{"unknown field", "  completions: 4", "  completion: 4", false, "unknown field"},
		{"wrong type", "  completions: 4", "  completions: four", false, "cannot unmarshal"},
		{"not indexed", "  completionMode: Indexed", "  completionMode: NonIndexed", false, "Indexed"},
		{"completions", "  completions: 4", "  completions: 3", false, "equal"},
		{"N of auto/N", "- auto/4", "- auto/3", false, "--shard auto/3"},
		{"restart policy", "restartPolicy: Never    #", "restartPolicy: OnFailure #", false, "Never"},
		{"hard-coded CPUs", "- $(FTSIM_CPUS)", `- "2"`, false, "--parallel"},
		{"bad input retried", "values: [2]", "values: [3]", false, "exit status 2"},
		{"merge misses a shard", "            - /results/batch/shard-3\n", "", true, "one folder per shard"},
		{"merge other image", "ftsim:0.1.0", "ftsim:0.2.0", true, "same ftsim"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := job
			if tc.merge {
				src = mergeData
			}
			if !bytes.Contains(src, []byte(tc.from)) {
				t.Fatalf("%q is not in the manifest", tc.from)
			}
			mut := bytes.Replace(src, []byte(tc.from), []byte(tc.to), 1)
			err := func() error {
				if tc.merge {
					shards, _ := jobOf("batch-job.yaml", job)
					sj, _ := checkShardJob(shards)
					m, err := jobOf("batch-merge-job.yaml", mut)
					if err != nil {
						return err
					}
					return checkMergeJob(m, shards, sj)
				}
				j, err := jobOf("batch-job.yaml", mut)
				if err != nil {
					return err
				}
				_, err = checkShardJob(j)
				return err
			}()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}
