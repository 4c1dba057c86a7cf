// Package k8s holds ftsim's Kubernetes manifests (an Indexed Job of shards
// and a merge Job, for a batch of sweep cases and for one scenario's runs)
// and the tests that check them: decoded strictly into the k8s.io/api
// types, held to the rules a sharded ftsim needs, and their command loop
// run over every completion index on a ConfigMap-shaped folder. It is a
// module of its own, so ftsim itself carries no Kubernetes dependencies.
package k8s
