package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// regularFile checks that path is, or links to, a regular file: a
// scenario in a folder may be a symbolic link (a Kubernetes ConfigMap
// volume holds NAME -> ..data/NAME), but never a folder, a FIFO or a
// device, which are refused before anything opens them.
func regularFile(path string) error {
	st, err := os.Stat(path) // follows symbolic links
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, lerr := os.Lstat(path); lerr == nil {
				return fmt.Errorf("%s: a symbolic link to a file that does not exist", path)
			}
			return fmt.Errorf("%s: no such file", path)
		}
		return fmt.Errorf("%s: %w", path, pathErrCause(err))
	}
	switch m := st.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return fmt.Errorf("%s: a folder, not a scenario file", path)
	case m&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%s: a named pipe (FIFO), not a scenario file", path)
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return fmt.Errorf("%s: a device, not a scenario file", path)
	default:
		return fmt.Errorf("%s: not a regular file (%s)", path, m.Type())
	}
}
