// Package importer turns what vSphere admins already have into ftsim input:
// esxtop/resxtop batch captures (perfmon PDH-CSV, one file per host) and
// PowerCLI `Get-Stat | Export-Csv` exports become one logging trace per VM,
// a scenario that loads and runs as written, and a provenance table that
// says where every rate came from. A live vCenter, read with
// github.com/vmware/govmomi, gives the design itself as well: hosts, NICs,
// the FT vmknic and its team, FT pairs and their statistics.
//
// Reading is streaming: an esxtop capture of hundreds of MB and tens of
// thousands of columns is read row by row with one reused record, columns
// are selected by pattern at the header, and only the selected values are
// kept, summed per sample into one series per VM and counter. An optional
// RVTools vInfo export names the FT VMs and their primary and secondary
// hosts. Nothing here touches files: readers take an io.Reader and a name
// for messages, and Files returns the output as (path, bytes) pairs for
// the caller to write. Problems are *Error values printed FILE:LINE:
// message; warnings are *Error values with Warning set.
//
// Readings fixed here (README "Importing measured load"):
//
//   - VMs in an esxtop capture are the clients of network ports written
//     "<switch>:<port>:<world id>:<VM>", the instances of Virtual Disk, and
//     the Group Cpu entries that are neither system groups (system, helper,
//     drivers, ft, vmotion, idle, ...) nor user worlds ("hostd.2099139").
//     A VM without a network port or virtual disk counter its mode needs is
//     an error; with --inventory only the FT VMs are looked at.
//   - On a VM's port, `MBits Received/sec` is the VM's network input; a VM
//     with several ports has their sum. Disk rates come from
//     `Virtual Disk(<VM>)`, or the sum of its per-disk instances
//     (`<VM>:scsi0:1`) when the VM-level instance is absent. vmk ports'
//     `MBits Transmitted/sec` go to the provenance as a cross-check where
//     FT already runs (which vmk carries FT is not in the capture).
//   - Get-Stat: net.received.average (else net.bytesRx.average),
//     disk.read.average and disk.write.average (else the virtualDisk ones)
//     per Entity; the aggregate row (empty Instance) is preferred, the
//     per-device rows are summed where a timestamp has no aggregate; the
//     Unit column decides the factor. Rows of EntityId HostSystem-... are
//     skipped. The separator (, or ;) and a decimal comma are detected.
//   - esxtop's MBits and MBytes and vCenter's KBps are read as decimal
//     (1 MB = 10^6 bytes, 1 KB = 10^3 bytes), as the FT sizing formula
//     reads them; the provenance states every factor used.
//   - A sample stamped t covers [t - interval, t], so its trace row starts
//     at t - interval. The interval is the time since the previous stamp
//     (the first sample uses the second's), or Get-Stat's IntervalSecs.
//     t = 0 is the start of the earliest sample; a VM whose capture starts
//     later or ends earlier logs 0 outside it (a warning says so).
//   - Logging rate per sample: SMP-FT (the default mode: legacy FT left
//     vSphere in 6.5), disk writes x 8 + network input + the dirty-memory
//     rate the user gives (no published formula); legacy FT, (disk reads x
//     8 + network input) x 1.2 (docs/model.md, "Logging rate"). The
//     provenance names the formula used for every VM. A VM that
//     logs nothing in the window is left out: a trace must carry load.
//   - Placement: with an inventory, its FT roles and hosts. Otherwise a
//     VM's primary is the host whose capture holds it (the busiest one when
//     several do, the others giving its secondary) and its secondary the
//     next host in order, wrapping; a single host gets a partner
//     "<host>-ft". Get-Stat exports carry no host: without a VMHost column
//     or an inventory, primaries are on esx01 and secondaries on esx02.
//
// Reading vCenter (vcenter*.go):
//
//   - Connect verifies TLS unless told whom to trust (--insecure,
//     --thumbprint, --ca-cert), logs in and maps every failure to one
//     *VCenterError line; the password is kept out of URLs and scrubbed
//     from every message. Only reading calls are made.
//   - Read collects plain data (VCDesign): per host its NICs (a NIC
//     without link keeps its configured, else fastest valid, speed), the
//     vmknic selected for faultToleranceLogging (or, when asked, the
//     management one as a stand-in; otherwise the host is left out with a
//     warning), and its team. A standard port group's computed policy is
//     read as is; a distributed one's uplink teaming is overlaid field by
//     field with the vmknic's port setting where not inherited, and uplink
//     names become vmnics through the host's uplink port keys. A LAG in the
//     active (or standby) list makes the team LACP over the LAG's members.
//     failback is not rollingOrder. FT pairs come from config.ftInfo (the
//     primary role, its secondaries or the VMs sharing its instance UUIDs).
//   - BuildVCenter makes the design a valid scenario: names through
//     SafeName and unique, addresses unique (others assumed, with
//     warnings), lists disjoint, IP hash without standby/unused or beacon
//     probing, LACP without standby; switch uplink-k per uplink position
//     (or the CDP/LLDP name), all in one stack; IP hash gets an assumed
//     static EtherChannel. Logging per VM is the legacy or SMP-FT formula
//     over the performance history, else a running pair's ftLogBandwidth.
package importer
