package importer

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

// readOnlyMethods are the vSphere API methods the import may call: none
// changes the inventory (container views are the session's own and are
// destroyed after use).
var readOnlyMethods = map[string]bool{
	"RetrieveServiceContent": true, "Login": true, "Logout": true, "CurrentTime": true,
	"CreateContainerView": true, "DestroyView": true,
	"RetrieveProperties": true, "RetrievePropertiesEx": true, "ContinueRetrievePropertiesEx": true,
	"FetchDVPorts": true, "QueryNetworkHint": true, "QueryPerf": true,
}

var soapMethod = regexp.MustCompile(`<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)`)

// TestVCenterReadOnly puts a recording proxy between the import and the
// simulator and checks every SOAP method called is a reading one.
func TestVCenterReadOnly(t *testing.T) {
	v := newVCSim(t)
	dvsDesign(t, v, &types.VmwareUplinkPortTeamingPolicy{Policy: &types.StringPolicy{Value: "loadbalance_srcid"}, UplinkPortOrder: order([]string{"lag1"}, nil)})

	target := *v.s.URL
	target.User, target.Path = nil, ""
	proxy := httputil.NewSingleHostReverseProxy(&target)
	proxy.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	var mu sync.Mutex
	called := map[string]int{}
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if m := soapMethod.FindSubmatch(body); m != nil {
			mu.Lock()
			called[string(m[1])]++
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer rec.Close()

	o := v.opts()
	o.URL = rec.URL + "/sdk"
	o.Protect = []string{v.vms()[4].Name}
	for _, stats := range []string{StatsRealtime, StatsDay} {
		o.Stats = stats
		readSim(t, o)
	}
	var names []string
	for m := range called {
		names = append(names, m)
		if !readOnlyMethods[m] {
			t.Errorf("the import called %s, which is not a reading method", m)
		}
	}
	sort.Strings(names)
	for _, want := range []string{"Login", "QueryPerf", "RetrievePropertiesEx", "QueryNetworkHint", "FetchDVPorts", "Logout"} {
		if called[want] == 0 {
			t.Errorf("%s was never called (calls: %s): the proxy did not see the traffic", want, strings.Join(names, ", "))
		}
	}
}
