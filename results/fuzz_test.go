package results

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzReadSeriesCSV: any input either fails with a CSV error or reads as
// series that write back and read again to the same series.
func FuzzReadSeriesCSV(f *testing.F) {
	f.Add([]byte("t_s,policy,failure_case,replication,object,metric,value\n0,port_id,baseline,0,esx01/vmnic0 tx,utilisation,0.5\n1,port_id,baseline,0,esx01/vmnic0 tx,utilisation,0.25\n"))
	f.Add([]byte("t_s,policy,failure_case,replication,object,metric,value\n0,p,b,x,o,m,1\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ReadSeriesCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteSeriesCSV(&buf, s); err != nil {
			t.Fatalf("series read from the input do not write back: %v", err)
		}
		again, err := ReadSeriesCSV(&buf)
		if err != nil {
			t.Fatalf("written series do not read back: %v\n%s", err, buf.String())
		}
		if len(s) > 0 && !reflect.DeepEqual(s, again) {
			t.Fatalf("round trip changed the series:\n%+v\n%+v", s, again)
		}
	})
}

// FuzzSavedResult: a saved results.json is input to plot and merge;
// whatever it holds, the queries, summaries, index rows, uplink tables and
// merges of it return without a panic.
func FuzzSavedResult(f *testing.F) {
	f.Add([]byte(`{"scenario":"s","runs":[{"policy":"port_id","failure_case":"baseline","applicable":true,"vms":[{"vm":"a"}],"links":[{"host":"h","vmnic":"n","direction":"tx"}],"phases":[{"links":[{"host":"h","vmnic":"n","direction":"tx","ft_bytes":1}]}]}],"summary":[{"policy":"port_id","failure_case":"baseline","applicable":true,"metrics":[{"object":"","metric":"replay_lag_p99_s","mean":1}]}],"shard":{"index":0,"count":1,"failure_cases":["baseline"],"failure_cases_total":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Result
		if json.Unmarshal(data, &r) != nil {
			return
		}
		for _, p := range r.Policies() {
			for _, fc := range r.FailureCases() {
				for _, m := range Metrics() {
					r.Figure(p, fc, m.Name)
				}
				UplinkTables(r, p, fc)
			}
			r.WorstCase(p)
		}
		r.Replications()
		UplinkGroups(r)
		IndexRows(CaseName(r), r)
		SummariseCase(r)
		WorstCases(r.Summary, true)
		for _, rr := range r.Runs {
			RunFigures(rr)
		}
		MergeShards([]Result{r}, true)
	})
}
