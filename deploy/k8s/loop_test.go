package k8s

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// buildFtsim builds the ftsim of this repository into dir.
func buildFtsim(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "ftsim")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/ftsim")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/ftsim: %v\n%s", err, out)
	}
	return bin
}

// configMapFolder lays out files (key -> source file) as a ConfigMap
// volume does: the files in a hidden timestamped folder, ..data linking
// to it, and each key linking to ..data/key.
func configMapFolder(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	stamp := filepath.Join(dir, "..2026_12_03_08_00_00.000000001")
	if err := os.MkdirAll(stamp, 0o755); err != nil {
		t.Fatal(err)
	}
	for key, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(stamp, key), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join("..data", key), filepath.Join(dir, key)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(stamp), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
}

// pod runs a Job's ftsim container as the kubelet would for completion
// index (or -1 for a Job that is not indexed): $(VAR) in args expanded
// from the container's env, the mounts' paths mapped onto local folders.
type pod struct {
	bin    string
	mounts map[string]string // mount path -> local folder
}

func (p pod) run(t *testing.T, job *batchv1.Job, index int) string {
	t.Helper()
	c := job.Spec.Template.Spec.Containers[0]
	vars := map[string]string{}
	env := os.Environ()
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && strings.Contains(e.ValueFrom.FieldRef.FieldPath, "job-completion-index"):
			vars[e.Name] = strconv.Itoa(index)
		case e.ValueFrom != nil && e.ValueFrom.ResourceFieldRef != nil && e.ValueFrom.ResourceFieldRef.Resource == "requests.cpu":
			q := c.Resources.Requests[corev1.ResourceCPU]
			vars[e.Name] = strconv.FormatInt((q.MilliValue()+999)/1000, 10) // divisor 1 rounds up
		default:
			vars[e.Name] = e.Value
		}
		env = append(env, e.Name+"="+vars[e.Name])
	}
	if index >= 0 {
		env = append(env, "JOB_COMPLETION_INDEX="+strconv.Itoa(index)) // set by the Job controller too
	}
	ref := regexp.MustCompile(`\$\((\w+)\)`)
	var args []string
	for _, a := range c.Args {
		a = ref.ReplaceAllStringFunc(a, func(m string) string {
			if v, ok := vars[m[2:len(m)-1]]; ok {
				return v
			}
			return m
		})
		for mp, local := range p.mounts {
			if a == mp || strings.HasPrefix(a, mp+"/") {
				a = local + a[len(mp):]
			}
		}
		args = append(args, a)
	}
	cmd := exec.Command(p.bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("pod %d of %s: ftsim %s: %v\n%s", index, job.Name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// files returns every file under root by its slash path.
func files(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, want, got string) {
	t.Helper()
	w, g := files(t, want), files(t, got)
	if len(w) == 0 {
		t.Fatalf("%s is empty", want)
	}
	for name, data := range w {
		if gd, ok := g[name]; !ok {
			t.Errorf("%s: missing from the merge", name)
		} else if !bytes.Equal(gd, data) {
			t.Errorf("%s: the merge differs from the unsharded output", name)
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			t.Errorf("%s: in the merge only", name)
		}
	}
}

// TestIndexedJobLoop runs each Indexed Job's command for
// JOB_COMPLETION_INDEX = 0..N-1 on a ConfigMap-shaped folder of symbolic
// links, then its merge Job's command, and compares the merged folder
// with the unsharded ftsim's, byte for byte.
func TestIndexedJobLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ftsim and runs every shard (-short)")
	}
	tmp := t.TempDir()
	bin := buildFtsim(t, tmp)
	testdata := filepath.Join("..", "slurm", "testdata")
	for _, tc := range []struct {
		pair         int
		mount, key   string
		scenario     string
		unshardedCmd []string // after the scenario path
	}{
		{0, "/scenarios", "ci-sweep.yaml", "ci-sweep.yaml", []string{"batch"}},
		{1, "/scenario", "scenario.yaml", "ci-n-1.yaml", []string{"run"}},
	} {
		p := pairs[tc.pair]
		t.Run(p.shards, func(t *testing.T) {
			root := filepath.Join(tmp, p.shards)
			cm, results := filepath.Join(root, "configmap"), filepath.Join(root, "results")
			configMapFolder(t, cm, map[string]string{tc.key: filepath.Join(testdata, tc.scenario)})
			shards, _ := readJob(t, p.shards)
			merge, _ := readJob(t, p.merge)
			sj, err := checkShardJob(shards)
			if err != nil {
				t.Fatal(err)
			}
			k8s := pod{bin: bin, mounts: map[string]string{tc.mount: cm, "/results": results}}
			for i := 0; i < sj.n; i++ {
				k8s.run(t, shards, i)
			}
			k8s.run(t, merge, -1)

			// The unsharded command, on the same scenario path.
			whole := filepath.Join(root, "whole")
			arg := cm
			if tc.unshardedCmd[0] == "run" {
				arg = filepath.Join(cm, tc.key)
			}
			cmd := exec.Command(bin, tc.unshardedCmd[0], arg, "--out", whole)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("unsharded: %v\n%s", err, out)
			}
			merged := filepath.Join(results, strings.TrimPrefix(filepathDir(sj.outDir), "/results"), "merged")
			sameTree(t, whole, merged)
		})
	}
}

func filepathDir(p string) string { return filepath.Dir(filepath.FromSlash(p)) }
