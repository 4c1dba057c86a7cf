package plots

import (
	"errors"

	"github.com/ftsim/ftsim/results"
)

// Charts builds every chart the results allow, in the order the report
// shows them (see the package documentation). series are the time series
// of timeseries.csv; when empty, r.Series is used. Charts without data (no
// time series, no N-1 cases) are left out.
func Charts(r results.Result, series []results.Series) ([]Chart, error) {
	cs, _, err := charts(r, series)
	return cs, err
}

// charts is Charts that also says which charts were left out, and why.
func charts(r results.Result, series []results.Series) ([]Chart, []string, error) {
	type builder struct {
		name  string
		build func() (Chart, error)
	}
	builders := []builder{
		{"utilisation", func() (Chart, error) { return Utilisation(r, series) }},
		{"replay-lag", func() (Chart, error) { return ReplayLag(r, series) }},
		{"lag-cdf", func() (Chart, error) { return LagCDF(r) }},
		{"policy-comparison", func() (Chart, error) { return PolicyComparison(r) }},
	}
	if len(smpVMs(r)) > 0 {
		builders = append(builders, builder{"checkpoints", func() (Chart, error) { return Checkpoints(r, series) }})
	}
	if r.HasWorst() {
		builders = append(builders,
			builder{"utilisation-worst", func() (Chart, error) { return UtilisationWorst(r, series) }},
			builder{"replay-lag-worst", func() (Chart, error) { return ReplayLagWorst(r, series) }})
	}
	var out []Chart
	var skipped []string
	for _, b := range builders {
		c, err := b.build()
		var ns errNoSeries
		var nd errNoData
		switch {
		case errors.As(err, &ns):
			skipped = append(skipped, b.name+": "+ns.reason())
			continue
		case errors.As(err, &nd):
			skipped = append(skipped, b.name+": "+nd.reason())
			continue
		case err != nil:
			return nil, nil, err
		}
		out = append(out, c)
	}
	return out, skipped, nil
}
