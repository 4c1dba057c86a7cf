package importer

import (
	"encoding/csv"
	"io"
	"strings"
)

// Inventory is what an RVTools vInfo export says about FT: which VMs are
// FT-protected and on which hosts their primary and secondary run.
type Inventory struct {
	File string
	VMs  []InvVM // FT VMs, in the order they first appear
}

// InvVM is one FT VM of the inventory. A host is "" when the export has no
// row for that role.
type InvVM struct {
	Name       string
	Primary    string
	Secondary  string
	PowerState string // as written, "" when the export has no Powerstate column
	Line       int    // first row of the VM
}

// Column aliases, because RVTools names drift between versions (reference
// vsphere-data-sources.md, section 4).
var (
	invVMCols    = []string{"VM", "VM Name", "VMName", "Name"}
	invHostCols  = []string{"Host", "VM Host", "VMHost", "ESX Host", "ESXi Host"}
	invStateCols = []string{"FT State", "FTState", "Fault Tolerance State"}
	invRoleCols  = []string{"FT Role", "FTRole", "Fault Tolerance Role"}
	invPowerCols = []string{"Powerstate", "Power State", "PowerState"}
)

// ReadInventory reads an RVTools vInfo tab exported as CSV. VMs whose FT
// State is notConfigured (or empty) are not FT VMs. FT Role 1 or "primary"
// marks the primary's row, 2 or "secondary" the secondary's; without an FT
// Role column the first row of a VM is its primary and the second its
// secondary.
func ReadInventory(name string, r io.Reader) (*Inventory, []*Error, error) {
	br := newBufReader(r)
	cr := csv.NewReader(br)
	cr.Comma = sniffComma(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, errorf(name, 1, "empty file: not an RVTools vInfo export")
	}
	if err != nil {
		return nil, nil, csvError(name, err)
	}
	header = append([]string(nil), header...)
	hline, _ := cr.FieldPos(0)
	cVM, cHost := findColumn(header, invVMCols...), findColumn(header, invHostCols...)
	cState, cRole := findColumn(header, invStateCols...), findColumn(header, invRoleCols...)
	cPower := findColumn(header, invPowerCols...)
	for _, req := range []struct {
		i    int
		name string
	}{{cVM, "VM"}, {cHost, "Host"}, {cState, "FT State"}} {
		if req.i < 0 {
			return nil, nil, errorf(name, hline, "not an RVTools vInfo export: no %q column (want VM, Host, FT State; FT Role and Powerstate are optional)", req.name)
		}
	}
	inv := &Inventory{File: name}
	var warns []*Error
	idx := map[string]int{}
	guessed := false
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(i int) string {
			if i >= 0 && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		vm, state := get(cVM), get(cState)
		if vm == "" || state == "" || strings.EqualFold(state, "notConfigured") {
			continue
		}
		host := strings.Clone(get(cHost))
		i, seen := idx[vm]
		if !seen {
			i = len(inv.VMs)
			idx[strings.Clone(vm)] = i
			inv.VMs = append(inv.VMs, InvVM{Name: strings.Clone(vm), PowerState: strings.Clone(get(cPower)), Line: line})
		}
		v := &inv.VMs[i]
		role, ok := parseRole(get(cRole))
		if !ok {
			return nil, nil, errorf(name, line, "FT Role %q of VM %q is neither primary (1) nor secondary (2)", clip(get(cRole), 30), vm)
		}
		if role == "" {
			guessed = true
			role = "primary"
			if seen {
				role = "secondary"
			}
		}
		switch {
		case role == "primary" && v.Primary != "":
			return nil, nil, errorf(name, line, "FT VM %q has a second primary row (the first is line %d)", vm, v.Line)
		case role == "primary":
			v.Primary = host
		case v.Secondary != "":
			return nil, nil, errorf(name, line, "FT VM %q has a second secondary row", vm)
		default:
			v.Secondary = host
		}
	}
	if guessed {
		warns = append(warns, warnf(name, hline, "no FT Role for some FT VMs: a VM's first row is taken as its primary, the next as its secondary"))
	}
	return inv, warns, nil
}

// parseRole reads an FT Role cell: "" (unknown), "primary" or "secondary".
func parseRole(s string) (string, bool) {
	switch l := strings.ToLower(s); {
	case l == "":
		return "", true
	case l == "1" || strings.Contains(l, "primary"):
		return "primary", true
	case strings.Contains(l, "secondary"):
		return "secondary", true
	case len(l) == 1 && l[0] >= '2' && l[0] <= '9':
		return "secondary", true
	}
	return "", false
}
