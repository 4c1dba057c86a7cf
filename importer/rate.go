package importer

import (
	"fmt"

	"github.com/ftsim/ftsim/model"
)

// ParseRate reads a bit rate ("200Mbps", "1.5Gbit/s") or a byte rate
// ("25MB/s", "100MiB/s") as the scenario format writes them (model units)
// and returns bits per second. The rate must be positive.
func ParseRate(s string) (float64, error) {
	bits, errBit := model.ParseBitRate(s)
	v := float64(bits)
	if errBit != nil {
		bytes, errByte := model.ParseByteRate(s)
		if errByte != nil {
			return 0, fmt.Errorf("%q is neither a bit rate like 200Mbps nor a byte rate like 25MB/s", s)
		}
		v = float64(bytes) * 8
	}
	if v <= 0 {
		return 0, fmt.Errorf("rate %q must be positive", s)
	}
	return v, nil
}
