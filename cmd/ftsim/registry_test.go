package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ftsim/ftsim/results"
)

// TestTableReadsTheRegistry: a key figure added to the registry gets its
// column in the terminal table, with the worst VM's value in its unit, and
// is among the SLA figures a planning chart can draw when it has a limit.
func TestTableReadsTheRegistry(t *testing.T) {
	undo := results.Register(results.MetricInfo{Name: "test_stall_s", Label: "stall", Unit: "s", Of: results.OfVM,
		Summarised: true, Key: true, Column: "stall", VM: func(v results.VM) (float64, bool) { return v.ReplayLagMax, true },
		Limit: func(l results.SLALimits) *float64 { return l.ReplayLagP99 }})
	defer undo()
	r := tableResult()
	r.Summary[0].Metrics = append(r.Summary[0].Metrics, results.Metric{Object: "vm1", Name: "test_stall_s", Mean: 0.0123})
	var b bytes.Buffer
	printTables(&b, r, false)
	out := b.String()
	if !strings.Contains(out, "unprotected  stall") || !strings.Contains(out, "12.3 ms") {
		t.Errorf("the table lacks the registered column or its value:\n%s", out)
	}
	if ms := slaMetrics(); ms[len(ms)-1] != "test_stall_s" {
		t.Errorf("planning SLA figures %v lack the registered figure", ms)
	}
	undo()
	b.Reset()
	printTables(&b, r, false)
	if strings.Contains(b.String(), "stall") {
		t.Errorf("the column stays after the entry is gone:\n%s", b.String())
	}
}
