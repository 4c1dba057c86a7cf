package importer

// Sample is one measurement interval of a capture: it covers [Start, End]
// (Unix seconds); End is the stamp as written, Start is End minus the
// sample interval.
type Sample struct {
	Start, End float64
	Stamp      string // the timestamp as written in the capture
	Line       int    // CSV line of the row (esxtop) or first row (Get-Stat)
}

// Series is one VM's measured inputs, aligned with Times. Rates are in
// bits per second; a nil slice means the capture has no such counter.
type Series struct {
	Kind string // "esxtop" | "getstat"
	VM   string
	Host string // "" when the capture does not say (Get-Stat without VMHost)
	File string // where the VM is first named, for messages
	Line int    // the line there (esxtop: the header)
	// Sources are the files the rates come from, for provenance.
	Sources []string

	Times     []Sample // esxtop series of one file share this slice
	NetRx     []float64
	DiskRead  []float64
	DiskWrite []float64

	// Net, Read and Write say where NetRx, DiskRead and DiskWrite come
	// from, for provenance and warnings.
	Net, Read, Write Counter
}

// Counter says where one of a series' rates comes from.
type Counter struct {
	Inputs []string // the columns or metrics summed
	Factor string   // the unit conversion used
	Note   string   // a warning about its data, "" when none
}

// VmkSeries is the transmit rate of one vmkernel port (esxtop only), shown
// beside the estimate where FT already runs.
type VmkSeries struct {
	Host   string
	Vmk    string
	File   string
	Input  string // the column used
	Factor string
	Times  []Sample
	TX     []float64 // bits per second
}

// Capture is what one or more input files hold.
type Capture struct {
	Kind     string // "esxtop" | "getstat"
	Files    []string
	Hosts    []string // hosts named in the capture, in file order
	Series   []*Series
	Vmks     []*VmkSeries
	Warnings []*Error
}

// setStarts fills in Start from the stamps: each sample starts at the
// previous stamp; the first uses the second's interval.
func setStarts(ts []Sample) {
	for i := range ts {
		switch {
		case i > 0:
			ts[i].Start = ts[i-1].End
		case len(ts) > 1:
			ts[0].Start = ts[0].End - (ts[1].End - ts[0].End)
		}
	}
}
