package sim

import "errors"

// ErrShardAuto is returned by Run for a sharded run under
// `replications: auto`: how many replications a case needs depends on
// every case's spread, which no shard sees.
var ErrShardAuto = errors.New("replications: auto cannot be split into shards (each shard would stop at its own count); give a fixed number of replications")
