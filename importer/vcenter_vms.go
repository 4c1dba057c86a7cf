package importer

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/performance"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// maxFTVCPUs is the most vCPUs an FT VM may have (SMP-FT, vSphere 6.7 and
// later, Enterprise Plus; docs/model.md 2.3).
const maxFTVCPUs = 8

// vmLightProps are read for every VM of the scope; vmProps for the FT and
// planned VMs only.
var (
	vmLightProps = []string{"name", "config.template", "config.ftInfo", "config.instanceUuid", "runtime.host"}
	vmProps      = []string{"name", "config.hardware.numCPU", "config.hardware.memoryMB", "config.extraConfig", "runtime.powerState", "summary.quickStats.ftLogBandwidth"}
)

// vms finds the FT pairs and the VMs to protect.
func (r *vcReader) vms(dc types.ManagedObjectReference, hostName map[types.ManagedObjectReference]string, list func(types.ManagedObjectReference, string, []string, any) error) error {
	var all []mo.VirtualMachine
	if err := list(dc, "VirtualMachine", vmLightProps, &all); err != nil {
		if isNoPermission(err) {
			return vcErrorf("vCenter %s: listing VMs: permission denied: the user needs the Read-only role on the datacenter, propagated", r.d.Server)
		}
		return vcErrorf("vCenter %s: listing VMs: %s", r.d.Server, redactErr(faultText(err), r.opts.Password))
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Name != all[j].Name {
			return all[i].Name < all[j].Name
		}
		return all[i].Self.Value < all[j].Self.Value
	})
	byRef := map[types.ManagedObjectReference]*mo.VirtualMachine{}
	byUUID := map[string]*mo.VirtualMachine{}
	for i := range all {
		v := &all[i]
		byRef[v.Self] = v
		if v.Config != nil && v.Config.InstanceUuid != "" {
			byUUID[v.Config.InstanceUuid] = v
		}
	}
	hostOf := func(v *mo.VirtualMachine) (string, bool) {
		if v == nil || v.Runtime.Host == nil {
			return "", false
		}
		n, ok := hostName[*v.Runtime.Host]
		return n, ok
	}
	var hostOrder []string
	for _, h := range r.d.Hosts {
		hostOrder = append(hostOrder, h.Name)
	}
	nextHost := func(primary string) string {
		for i, h := range hostOrder {
			if h == primary {
				return hostOrder[(i+1)%len(hostOrder)]
			}
		}
		return ""
	}

	type want struct {
		vm  *VCVM
		ref types.ManagedObjectReference
	}
	var wants []want
	taken := map[types.ManagedObjectReference]bool{}
	for i := range all {
		v := &all[i]
		if v.Config == nil || v.Config.FtInfo == nil || v.Config.FtInfo.GetFaultToleranceConfigInfo().Role != 1 {
			continue
		}
		name := unescapeVCenter(v.Name)
		prim, ok := hostOf(v)
		if !ok {
			if lo := r.leftOut[derefRef(v.Runtime.Host)]; lo != "" {
				r.warn("FT VM %s runs on host %s, which is left out (see above); left out", name, lo)
			}
			continue
		}
		vm := &VCVM{Name: name, Primary: prim}
		// The secondary: the primary's list, else the VM sharing its instance UUIDs.
		var sec *mo.VirtualMachine
		if p, ok := v.Config.FtInfo.(*types.FaultTolerancePrimaryConfigInfo); ok {
			for _, s := range p.Secondaries {
				if byRef[s] != nil {
					sec = byRef[s]
					break
				}
			}
		}
		if sec == nil {
			for _, u := range v.Config.FtInfo.GetFaultToleranceConfigInfo().InstanceUuids {
				if s := byUUID[u]; s != nil && s != v {
					sec = s
					break
				}
			}
		}
		switch sh, ok := hostOf(sec); {
		case ok && sh != prim:
			vm.Secondary, vm.SecondaryFrom = sh, "runtime.host of the secondary VM"
		default:
			vm.Secondary, vm.SecondaryFrom = nextHost(prim), "placed on the next host (the secondary's host is not known here)"
			r.warn("FT VM %s: its secondary's host is unknown or left out; placed on %s, the next host", name, vm.Secondary)
		}
		if vm.Secondary == "" || vm.Secondary == prim {
			r.warn("FT VM %s: no second host for its secondary; left out", name)
			continue
		}
		taken[v.Self] = true
		wants = append(wants, want{vm, v.Self})
	}

	for _, p := range r.opts.Protect {
		var found []*mo.VirtualMachine
		for i := range all {
			if sameName(all[i].Name, p) {
				found = append(found, &all[i])
			}
		}
		if len(found) == 0 {
			for i := range all {
				if strings.EqualFold(unescapeVCenter(all[i].Name), p) {
					found = append(found, &all[i])
				}
			}
		}
		where := "datacenter " + strconv.Quote(r.d.Datacenter)
		if r.d.Cluster != "" {
			where = "cluster " + strconv.Quote(r.d.Cluster)
		}
		switch {
		case len(found) == 0:
			return vcErrorf("--protect %s: VM %q does not exist in datacenter %q", p, p, r.d.Datacenter)
		case len(found) > 1:
			return vcErrorf("--protect %s: %d VMs are called %q in datacenter %q; rename one to tell them apart", p, len(found), p, r.d.Datacenter)
		}
		v := found[0]
		name := unescapeVCenter(v.Name)
		if v.Config != nil && v.Config.Template {
			return vcErrorf("--protect %s: %s is a template, not a VM", p, name)
		}
		if taken[v.Self] {
			r.warn("--protect %s: VM %s is already FT-protected; imported as the running pair", p, name)
			continue
		}
		if v.Config != nil && v.Config.FtInfo != nil {
			return vcErrorf("--protect %s: VM %s is an FT secondary; name its primary", p, name)
		}
		prim, ok := hostOf(v)
		if !ok {
			return vcErrorf("--protect %s: VM %s does not run on a host of %s that has an FT vmkernel adapter", p, name, where)
		}
		if len(hostOrder) < 2 {
			return vcErrorf("--protect %s: FT needs a second host for the secondary; %s has one usable host", p, where)
		}
		taken[v.Self] = true
		wants = append(wants, want{&VCVM{Name: name, Primary: prim, Secondary: nextHost(prim), Planned: true,
			SecondaryFrom: "planned: the next host after the primary, as placement: spread does"}, v.Self})
	}
	if len(wants) == 0 {
		return vcErrorf("no FT VM in the hosts read and no --protect VM: nothing to simulate (name VMs to plan with --protect VM)")
	}

	refs := make([]types.ManagedObjectReference, len(wants))
	for i, w := range wants {
		refs[i] = w.ref
	}
	var full []mo.VirtualMachine
	if err := property.DefaultCollector(r.c.Client).Retrieve(r.ctx, refs, vmProps, &full); err != nil {
		return vcErrorf("vCenter %s: reading VMs: %s", r.d.Server, redactErr(faultText(err), r.opts.Password))
	}
	fullOf := map[types.ManagedObjectReference]*mo.VirtualMachine{}
	for i := range full {
		fullOf[full[i].Self] = &full[i]
	}
	for _, w := range wants {
		vm, v := w.vm, fullOf[w.ref]
		vm.ref = w.ref
		vm.FTLogKBps = -1
		if v != nil {
			if v.Config != nil {
				vm.VCPUs, vm.MemoryMB = int(v.Config.Hardware.NumCPU), int64(v.Config.Hardware.MemoryMB)
				for _, o := range v.Config.ExtraConfig {
					if ov := o.GetOptionValue(); strings.EqualFold(ov.Key, "vm.uselegacyft") {
						vm.LegacyFT = strings.EqualFold(strings.TrimSpace(fmt.Sprint(ov.Value)), "true")
					}
				}
			}
			vm.PowerState = string(v.Runtime.PowerState)
			vm.FTLogKBps = v.Summary.QuickStats.FtLogBandwidth
		}
		if vm.VCPUs > maxFTVCPUs {
			return vcErrorf("VM %s has %d vCPUs: FT protects VMs of at most %d vCPUs", vm.Name, vm.VCPUs, maxFTVCPUs)
		}
		if vm.VCPUs <= 0 {
			vm.VCPUs = 1
		}
		r.d.VMs = append(r.d.VMs, vm)
	}
	return nil
}

// statsCounters are the performance counters read per VM.
var statsCounters = []string{"net.received.average", "disk.read.average", "disk.write.average"}

// unitBits is bits per second per counter unit (vCenter's KB is 1000
// bytes, as the FT sizing formula reads it).
var unitBits = map[string]float64{
	"kiloBytesPerSecond": 8e3,
	"megaBytesPerSecond": 8e6,
	"kiloBitsPerSecond":  1e3,
	"megaBitsPerSecond":  1e6,
}

// stats reads each VM's history from the performance manager.
func (r *vcReader) stats() error {
	var interval int32
	var span time.Duration
	switch r.d.Stats {
	case StatsNone:
		return nil
	case StatsRealtime:
		interval, span = 20, time.Hour
	case StatsDay:
		interval, span = 300, 24*time.Hour
	default:
		return vcErrorf("--stats %q: want realtime, day or none", r.d.Stats)
	}
	pm := performance.NewManager(r.c.Client)
	info, err := pm.CounterInfoByName(r.ctx)
	if err != nil {
		return vcErrorf("vCenter %s: reading performance counters: %s", r.d.Server, redactErr(faultText(err), r.opts.Password))
	}
	ids := make([]types.PerfMetricId, len(statsCounters))
	for i, n := range statsCounters {
		ci, ok := info[n]
		if !ok {
			return vcErrorf("vCenter %s has no performance counter %s", r.d.Server, n)
		}
		unit := ci.UnitInfo.GetElementDescription().Key
		if _, ok := unitBits[unit]; !ok {
			return vcErrorf("vCenter %s: counter %s is in %q, not a rate this import knows", r.d.Server, n, unit)
		}
		ids[i] = types.PerfMetricId{CounterId: ci.Key, Instance: ""}
	}
	now, err := methods.GetCurrentTime(r.ctx, r.c.Client)
	if err != nil || now == nil {
		t := time.Now()
		now = &t
	}
	end := now.UTC()
	start := end.Add(-span)
	for _, vm := range r.d.VMs {
		spec := types.PerfQuerySpec{Entity: vm.ref, MetricId: ids, IntervalId: interval, StartTime: &start, EndTime: &end}
		res, err := pm.Query(r.ctx, []types.PerfQuerySpec{spec})
		if err != nil {
			if r.ctx.Err() != nil {
				return r.ctx.Err()
			}
			vm.StatsNote = "no history: " + redactErr(faultText(err), r.opts.Password)
			continue
		}
		r.fill(vm, res, info, interval)
		if interval != 20 && vm.Times == nil {
			var lv []string
			for _, n := range statsCounters {
				lv = append(lv, fmt.Sprintf("%s level %d", n, info[n].Level))
			}
			vm.StatsNote += fmt.Sprintf(" (the past-day interval keeps a counter only at or above its collection level: %s; raise the statistics level or use --stats realtime)", strings.Join(lv, ", "))
		}
	}
	return nil
}

// fill turns a query result into the VM's samples, oldest first.
func (r *vcReader) fill(vm *VCVM, res []types.BasePerfEntityMetricBase, info map[string]*types.PerfCounterInfo, interval int32) {
	vm.StatsInterval = interval
	vm.Units = map[string]string{}
	for _, b := range res {
		em, ok := b.(*types.PerfEntityMetric)
		if !ok {
			continue
		}
		n := len(em.SampleInfo)
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool {
			return em.SampleInfo[order[a]].Timestamp.Before(em.SampleInfo[order[b]].Timestamp)
		})
		series := map[string][]float64{}
		missing := 0
		for _, v := range em.Value {
			s, ok := v.(*types.PerfMetricIntSeries)
			if !ok || s.Id.Instance != "" {
				continue
			}
			for _, name := range statsCounters {
				ci := info[name]
				if ci.Key != s.Id.CounterId {
					continue
				}
				unit := ci.UnitInfo.GetElementDescription().Key
				vm.Units[name] = unit
				out := make([]float64, n)
				for i, k := range order {
					if k >= len(s.Value) || s.Value[k] < 0 {
						missing++
						continue
					}
					out[i] = float64(s.Value[k]) * unitBits[unit]
				}
				series[name] = out
			}
		}
		if n == 0 || len(series) == 0 {
			vm.StatsNote = "no history in the interval"
			return
		}
		vm.Times = make([]Sample, n)
		var prev time.Time
		for i, k := range order {
			si := em.SampleInfo[k]
			iv := si.Interval
			if iv <= 0 {
				iv = interval
			}
			ts := si.Timestamp.UTC()
			if i > 0 && !ts.After(prev) {
				ts = prev.Add(time.Duration(iv) * time.Second)
			}
			prev = ts
			endS := float64(ts.UnixNano()) / 1e9
			vm.Times[i] = Sample{Start: endS - float64(iv), End: endS, Stamp: ts.Format(time.RFC3339)}
		}
		vm.NetRx, vm.DiskRead, vm.DiskWrite = series["net.received.average"], series["disk.read.average"], series["disk.write.average"]
		if missing > 0 {
			vm.StatsNote = fmt.Sprintf("%d values missing (-1) read as 0", missing)
		}
		return
	}
	vm.StatsNote = "no history in the interval"
}

// kbpsToBits reads quickStats.ftLogBandwidth (KB/s) as bits per second.
func kbpsToBits(kbps int32) float64 { return math.Max(0, float64(kbps)) * 8e3 }

func derefRef(r *types.ManagedObjectReference) types.ManagedObjectReference {
	if r == nil {
		return types.ManagedObjectReference{}
	}
	return *r
}
