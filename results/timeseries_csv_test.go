package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestSeriesCSVRoundTrip(t *testing.T) {
	in := []Series{
		{Policy: "ip_hash", FailureCase: "baseline", Replication: 0, Object: "esx01/vmnic1 tx",
			Metric: "utilisation", T: []float64{0, 1, 2}, V: []float64{0.1, 0.25, 1.0 / 3}},
		{Policy: "ip_hash", FailureCase: "vmnic:esx01/vmnic1", Replication: 1, Object: "sql01",
			Metric: "replay_lag_s", T: []float64{0.5, 1.5}, V: []float64{1.25e-4, 3e-7}},
		{Policy: "explicit_failover", FailureCase: "baseline", Object: "isl:sw-a~sw-b tx",
			Metric: "queue_length", T: []float64{1}, V: []float64{12}},
	}
	var buf bytes.Buffer
	if err := WriteSeriesCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	wantHead := "t_s,policy,failure_case,replication,object,metric,value\n"
	if !strings.HasPrefix(text, wantHead) {
		t.Fatalf("header: got %q", strings.SplitN(text, "\n", 2)[0])
	}
	if got := strings.Count(text, "\n"); got != 1+3+2+1 {
		t.Errorf("%d lines, want 7", got)
	}
	if !strings.Contains(text, "\n2,ip_hash,baseline,0,esx01/vmnic1 tx,utilisation,0.3333333333333333\n") {
		t.Errorf("row not in shortest exact form:\n%s", text)
	}
	out, err := ReadSeriesCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip changed the series:\n in %+v\nout %+v", in, out)
	}
	var again bytes.Buffer
	if err := WriteSeriesCSV(&again, out); err != nil {
		t.Fatal(err)
	}
	if again.String() != text {
		t.Error("write-read-write is not byte identical")
	}
}

func TestReadSeriesCSVGroupsInterleavedRows(t *testing.T) {
	text := "t_s,policy,failure_case,replication,object,metric,value\n" +
		"0,p,baseline,0,a,utilisation,0.1\n" +
		"0,p,baseline,0,b,utilisation,0.2\n" +
		"1,p,baseline,0,a,utilisation,0.3\n" +
		"1,p,baseline,0,b,utilisation,NaN\n"
	out, err := ReadSeriesCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out[0].Object != "a" || out[1].Object != "b" {
		t.Fatalf("got %+v, want series a then b", out)
	}
	if !reflect.DeepEqual(out[0].V, []float64{0.1, 0.3}) || !math.IsNaN(out[1].V[1]) {
		t.Errorf("values: %v %v", out[0].V, out[1].V)
	}
}

func TestReadSeriesCSVErrors(t *testing.T) {
	const head = "t_s,policy,failure_case,replication,object,metric,value\n"
	tests := []struct {
		name, text string
		line       int
		msg        string
	}{
		{"empty", "", 1, "empty file"},
		{"bad header", "time,policy\n", 1, "header is"},
		{"few fields", head + "0,p,baseline,0,a,utilisation,1\n1,p,baseline\n", 3, "3 fields, want 7"},
		{"bad time", head + "x,p,baseline,0,a,utilisation,1\n", 2, `t_s "x"`},
		{"infinite time", head + "Inf,p,baseline,0,a,utilisation,1\n", 2, "not a finite number"},
		{"bad replication", head + "0,p,baseline,-1,a,utilisation,1\n", 2, "replication"},
		{"bad value", head + "0,p,baseline,0,a,utilisation,high\n", 2, `value "high"`},
		{"time goes back", head + "2,p,baseline,0,a,utilisation,1\n1,p,baseline,0,a,utilisation,1\n", 3, "goes back in time"},
		{"bad quote", head + "0,\"p,baseline,0,a,utilisation,1\n", 2, "quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSeriesCSV(strings.NewReader(tt.text))
			var ce *CSVError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *CSVError", err)
			}
			if ce.Line != tt.line || !strings.Contains(ce.Msg, tt.msg) {
				t.Errorf("got %q, want line %d containing %q", err, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Errorf("message %q does not start with the line", err)
			}
		})
	}
}

func TestWriteSeriesCSVRejectsRaggedSeries(t *testing.T) {
	err := WriteSeriesCSV(new(bytes.Buffer), []Series{{T: []float64{0, 1}, V: []float64{1}}})
	if err == nil {
		t.Fatal("want an error for 2 times and 1 value")
	}
}

// TestSeriesCSVMatchesEncodingCSV: WriteSeriesCSV gives the bytes of
// encoding/csv writing every row, for text fields that need quotes and
// numbers of every form.
func TestSeriesCSVMatchesEncodingCSV(t *testing.T) {
	vals := []float64{0, 1, 600, 1e6, 1e21, -2.5, 1.0 / 3, 5e-324, math.Inf(1), math.Inf(-1), math.NaN()}
	ser := []Series{
		{Policy: "port_id", FailureCase: "baseline", Object: "esx01/vmnic0 tx", Metric: "utilisation", T: vals, V: vals},
		{Policy: "p,q", FailureCase: `say "hi"`, Replication: 12, Object: " lead", Metric: "two\nlines", T: vals[:3], V: vals[8:]},
		{Policy: "", FailureCase: "", Object: "\tx", Metric: "m\r", T: nil, V: nil},
	}
	var want bytes.Buffer
	cw := csv.NewWriter(&want)
	cw.Write(SeriesCSVHeader)
	for _, s := range ser {
		for i := range s.T {
			cw.Write([]string{strconv.FormatFloat(s.T[i], 'g', -1, 64), s.Policy, s.FailureCase,
				strconv.Itoa(s.Replication), s.Object, s.Metric, strconv.FormatFloat(s.V[i], 'g', -1, 64)})
		}
	}
	cw.Flush()
	var got bytes.Buffer
	if err := WriteSeriesCSV(&got, ser); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("WriteSeriesCSV wrote\n%q\nencoding/csv writes\n%q", got.String(), want.String())
	}
}
