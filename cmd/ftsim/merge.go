package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ftsim/ftsim/model"
	"github.com/ftsim/ftsim/results"
)

func mergeCommand() *cli.Command {
	var (
		out, series string
		failOnSLA   bool
	)
	return &cli.Command{
		Name:      "merge",
		Usage:     "join the output folders of batch shards, or of run shards, into one folder",
		ArgsUsage: "DIR...",
		Description: "Batch shards: copies every case folder into --out and rebuilds index.csv and\n" +
			"summary.json from them: the same files an unsharded batch writes.\n" +
			"Run shards (ftsim run --shard): writes results.json, runs.csv, timeseries.csv,\n" +
			"the charts and report.html of the unsharded run.\n" +
			"Refuses a shard that did not finish, a missing or duplicated shard, and a shard\n" +
			"of another batch or run.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "merged `DIR` (required)", Destination: &out},
			&cli.StringFlag{Name: "series", Usage: "run shards: time `SERIES` kept, all, worst or none (default: worst with n_minus_1, else all)", Destination: &series},
			&cli.BoolFlag{Name: "fail-on-sla", Usage: "run shards: exit with status 1 when a verdict fails", Destination: &failOnSLA},
		},
		Action: func(c *cli.Context) error {
			dirs := c.Args().Slice()
			if out == "" {
				return badInput(errors.New("ftsim merge: --out DIR is required"))
			}
			if len(dirs) > 0 && isRunShards(dirs) {
				return mergeRun(c.App.Writer, dirs, out, series, failOnSLA)
			}
			if series != "" || failOnSLA {
				return badInput(errors.New("ftsim merge: --series and --fail-on-sla apply to the shards of a run (ftsim run --shard), not of a batch"))
			}
			return merge(c.App.Writer, dirs, out)
		},
	}
}

// mergeFile is one file of a case folder in a shard: its path in the shard
// and its path relative to the batch folder.
type mergeFile struct {
	src, rel string
}

// merge is the body of `ftsim merge`.
func merge(stdout io.Writer, dirs []string, out string) error {
	if len(dirs) == 0 {
		return badInput(errors.New("ftsim merge: give the output folders of the batch shards"))
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return badInput(err)
	}
	var (
		files    []mergeFile
		cases    = map[string]bool{} // case folders, relative
		shards   []shardManifest
		shardDir []string
	)
	for _, d := range dirs {
		if abs, err := filepath.Abs(d); err == nil && abs == absOut {
			return badInput(fmt.Errorf("%s: --out must be a folder other than the ones merged", d))
		}
		st, err := os.Stat(d)
		if err != nil || !st.IsDir() {
			return badInput(fmt.Errorf("%s: no such batch output folder", d))
		}
		m, ok, err := readManifest(d)
		if err != nil {
			return badInput(err)
		}
		found, cs, err := caseFiles(d)
		if err != nil {
			return err
		}
		if ok {
			for _, c := range m.Cases {
				if !cs[c] {
					return badInput(fmt.Errorf("%s: shard %d/%d has no result for its case folder %s; run it again with --resume",
						d, m.Shard, m.Shards, c))
				}
			}
			shards, shardDir = append(shards, m), append(shardDir, d)
		}
		files = append(files, found...)
		for c := range cs {
			cases[c] = true
		}
	}
	if err := checkShards(shards, shardDir); err != nil {
		return badInput(err)
	}
	copied, err := copyCaseFiles(files, out)
	if err != nil {
		return err
	}
	dirList := make([]string, 0, len(cases))
	for c := range cases {
		dirList = append(dirList, c)
	}
	sort.Strings(dirList)
	sum, err := writeIndex(out, dirList, runtime.NumCPU(), true)
	if err != nil {
		return internal(err)
	}
	printPlanning(stdout, sum.Planning)
	fmt.Fprintf(stdout, "%d cases from %d folders (%d files copied); index: %s\n",
		len(dirList), len(dirs), copied, filepath.Join(out, indexFile))
	return nil
}

func readManifest(dir string) (shardManifest, bool, error) {
	var m shardManifest
	data, err := os.ReadFile(filepath.Join(dir, shardFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, false, fmt.Errorf("%s: %w", filepath.Join(dir, shardFile), err)
	}
	return m, true, nil
}

// caseFiles lists the files of every case folder of the finished batch in
// dir (the folders its summary.json names; temporary files left out) and
// the case folders, each checked to hold the result of its case.
func caseFiles(dir string) ([]mergeFile, map[string]bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, summaryFile))
	if err != nil {
		return nil, nil, badInput(fmt.Errorf("%s: the batch there did not finish (no %s); run it again with --resume, then merge",
			dir, summaryFile))
	}
	var sum results.BatchSummary
	if err := json.Unmarshal(data, &sum); err != nil {
		return nil, nil, badInput(fmt.Errorf("%s: %w", filepath.Join(dir, summaryFile), err))
	}
	var files []mergeFile
	cases := map[string]bool{}
	for _, c := range sum.Cases {
		if c.Dir == "" || path.IsAbs(c.Dir) || path.Clean(c.Dir) != c.Dir || strings.HasPrefix(c.Dir, "..") {
			return nil, nil, badInput(fmt.Errorf("%s: case %q has a bad folder %q", filepath.Join(dir, summaryFile), c.Case, c.Dir))
		}
		caseDir := filepath.Join(dir, filepath.FromSlash(c.Dir))
		r, err := readResult(filepath.Join(caseDir, resultsFile))
		if err != nil {
			return nil, nil, badInput(fmt.Errorf("%s: case %q has no readable %s; run the batch again with --resume: %v",
				dir, c.Case, resultsFile, err))
		}
		if want := results.CaseDir(r); want != c.Dir {
			return nil, nil, badInput(fmt.Errorf("%s holds the result of case %q, whose folder is %s",
				filepath.Join(caseDir, resultsFile), results.CaseName(r), want))
		}
		entries, err := os.ReadDir(caseDir)
		if err != nil {
			return nil, nil, internal(err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !isTemp(e.Name()) {
				files = append(files, mergeFile{src: filepath.Join(caseDir, e.Name()), rel: c.Dir + "/" + e.Name()})
			}
		}
		cases[c.Dir] = true
	}
	return files, cases, nil
}

// checkShards verifies that the shards of each split (same N and case
// count) are all there, once each, and own every case of the split.
func checkShards(ms []shardManifest, dirs []string) error {
	type split struct{ shards, total int }
	seen := map[split]map[int]string{}
	owned := map[split]int{}
	var order []split
	for i, m := range ms {
		k := split{m.Shards, m.CasesTotal}
		if seen[k] == nil {
			seen[k] = map[int]string{}
			order = append(order, k)
		}
		if prev, dup := seen[k][m.Shard]; dup {
			return fmt.Errorf("%s and %s are both shard %d/%d", prev, dirs[i], m.Shard, m.Shards)
		}
		seen[k][m.Shard] = dirs[i]
		owned[k] += len(m.Cases)
	}
	for _, k := range order {
		var missing []string
		for i := 0; i < k.shards; i++ {
			if _, ok := seen[k][i]; !ok {
				missing = append(missing, fmt.Sprintf("%d/%d", i, k.shards))
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("shard %s of a batch of %d cases missing; give the output folder of every shard",
				strings.Join(missing, ", "), k.total)
		}
		if owned[k] != k.total {
			return fmt.Errorf("the %d shards own %d cases but their batch has %d; were they run on different scenarios?",
				k.shards, owned[k], k.total)
		}
	}
	return nil
}

// copyCaseFiles copies files into out, refusing a file whose copies (or
// existing file in out) differ. It returns the number of files written.
func copyCaseFiles(files []mergeFile, out string) (int, error) {
	sort.SliceStable(files, func(i, j int) bool { return model.NaturalLess(files[i].rel, files[j].rel) })
	first := map[string]string{}
	var unique []mergeFile
	for _, f := range files {
		prev, dup := first[f.rel]
		if !dup {
			first[f.rel] = f.src
			unique = append(unique, f)
			continue
		}
		same, err := sameContent(prev, f.src)
		if err != nil {
			return 0, internal(err)
		}
		if !same {
			return 0, badInput(fmt.Errorf("%s and %s differ: the same case ran twice with different results; merge the shards of one batch",
				prev, f.src))
		}
	}
	// Check the whole destination before writing anything.
	var todo []mergeFile
	for _, f := range unique {
		dst := filepath.Join(out, filepath.FromSlash(f.rel))
		if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
			todo = append(todo, f)
			continue
		}
		same, err := sameContent(dst, f.src)
		if err != nil {
			return 0, internal(err)
		}
		if !same {
			return 0, badInput(fmt.Errorf("%s already exists with other content than %s; merge into an empty folder", dst, f.src))
		}
	}
	for _, f := range todo {
		data, err := os.ReadFile(f.src)
		if err != nil {
			return 0, internal(err)
		}
		if err := writeFileAtomic(filepath.Join(out, filepath.FromSlash(f.rel)), data); err != nil {
			return 0, internal(err)
		}
	}
	return len(todo), nil
}

func sameContent(a, b string) (bool, error) {
	x, err := os.ReadFile(a)
	if err != nil {
		return false, err
	}
	y, err := os.ReadFile(b)
	if err != nil {
		return false, err
	}
	return bytes.Equal(x, y), nil
}
