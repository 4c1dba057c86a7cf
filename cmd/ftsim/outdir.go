package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// outDir is the output folder of a run, written whole or not at all: every
// file goes into a staging folder beside it, which then takes its place in
// one rename (an atomic exchange with an earlier run's folder). A reader,
// a full disk or a second run into the same folder never leaves files of
// two runs side by side.
type outDir struct {
	final string // the folder the user named
	stage string // where this run writes; "" once committed or aborted
}

// prepareOutDir checks, before anything is simulated, that final can
// receive a run's files, and creates the staging folder beside it. Its
// errors are the user's to fix (exit 2): a file where the folder should
// be, a folder that holds other things than an earlier run, a parent that
// cannot be created or written.
func prepareOutDir(final string) (*outDir, error) {
	final = filepath.Clean(final)
	if st, err := os.Stat(final); err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("--out %s is a file, not a folder", final)
		}
		ents, err := os.ReadDir(final)
		if err != nil && !errors.Is(err, fs.ErrNotExist) { // gone meanwhile: as if new
			return nil, fmt.Errorf("--out %s: cannot read the folder: %w", final, pathErr(err))
		}
		if len(ents) > 0 && !hasEntry(ents, resultsFile) {
			return nil, fmt.Errorf("--out %s holds files and no %s (the mark of an earlier run): a run replaces its whole output folder, so name a new folder, an empty one or an earlier run's", final, resultsFile)
		}
		// Replacing it removes its files: it must be writable.
		f, err := os.CreateTemp(final, ".ftsim-probe-")
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--out %s: cannot replace the folder: %w", final, pathErr(err))
		}
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--out %s: %w", final, pathErr(err))
	}
	parent := filepath.Dir(final)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("--out %s: cannot create the folder %s: %w", final, parent, pathErr(err))
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(final)+".new-")
	if err != nil {
		return nil, fmt.Errorf("--out %s: cannot write into %s: %w", final, parent, pathErr(err))
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		os.Remove(stage)
		return nil, fmt.Errorf("--out %s: %w", final, pathErr(err))
	}
	return &outDir{final: final, stage: stage}, nil
}

func hasEntry(ents []fs.DirEntry, name string) bool {
	for _, e := range ents {
		if e.Name() == name {
			return true
		}
	}
	return false
}

// pathErr drops the path an fs.PathError repeats, keeping its cause.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// commit puts the staged folder in place of final: a rename when final
// does not exist, else an atomic exchange, after which the earlier run's
// files are removed.
func (o *outDir) commit() error {
	if o.stage == "" {
		return errors.New("output folder already committed")
	}
	for range 3 {
		err := os.Rename(o.stage, o.final)
		if err == nil {
			o.stage = ""
			return nil
		}
		if !errors.Is(err, syscall.EEXIST) && !errors.Is(err, syscall.ENOTEMPTY) {
			return fmt.Errorf("moving the results into %s: %w", o.final, pathErr(err))
		}
		// final exists and holds files: swap the two folders in one step.
		if err := exchange(o.stage, o.final); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // removed meanwhile: rename again
			}
			return fmt.Errorf("replacing %s: %w", o.final, err)
		}
		old := o.stage // now the earlier run's files
		o.stage = ""
		return os.RemoveAll(old)
	}
	return fmt.Errorf("replacing %s: the folder keeps changing under another process", o.final)
}

// abort removes the staged files of a run that will not be committed; the
// earlier contents of final stay as they were.
func (o *outDir) abort() {
	if o.stage != "" {
		os.RemoveAll(o.stage)
		o.stage = ""
	}
}

// finalPath maps a path written under the staging folder to where it will
// be once committed (for the "wrote ..." line); other strings pass through.
func (o *outDir) finalPath(p string) string {
	if o.stage == "" || !filepath.IsAbs(p) && !strings.ContainsRune(p, filepath.Separator) {
		return p
	}
	if rel, err := filepath.Rel(o.stage, p); err == nil && filepath.IsLocal(rel) {
		return filepath.Join(o.final, rel)
	}
	return p
}

// swapByRenames swaps folders a and b with three renames through a free
// name beside b.
func swapByRenames(a, b string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(b), "."+filepath.Base(b)+".old-")
	if err != nil {
		return err
	}
	if err := os.Remove(tmp); err != nil {
		return err
	}
	if err := os.Rename(b, tmp); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		os.Rename(tmp, b)
		return err
	}
	return os.Rename(tmp, a)
}
