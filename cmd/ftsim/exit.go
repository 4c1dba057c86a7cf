package main

import (
	"errors"
	"strings"

	"github.com/ftsim/ftsim/model"
)

// Exit statuses (docs/model.md "Command line"); never renumbered.
const (
	exitOK       = 0 // ran, whatever the verdict
	exitSLA      = 1 // the SLA failed and --fail-on-sla was given
	exitBadInput = 2 // bad input: scenario, flags, files
	exitInternal = 3 // internal error, e.g. a broken conservation balance
)

// exitError carries the exit status an error maps to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput marks err as the user's input being wrong (exit 2), unless
// reading the input met a bug of ftsim's (model.InternalError, exit 3).
func badInput(err error) error {
	if err == nil {
		return nil
	}
	var ie *model.InternalError
	if errors.As(err, &ie) {
		return &exitError{exitInternal, err}
	}
	return &exitError{exitBadInput, err}
}

// internal marks err as ftsim's own failure (exit 3).
func internal(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{exitInternal, err}
}

// slaFailed is returned by run --fail-on-sla when a verdict failed (exit 1).
var errSLAFailed = &exitError{exitSLA, errors.New("ftsim: the SLA failed")}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ie *model.InternalError
	if errors.As(err, &ie) {
		return exitInternal
	}
	var ml model.ErrorList
	var me *model.Error
	if errors.As(err, &ml) || errors.As(err, &me) {
		return exitBadInput
	}
	// Errors from urfave/cli itself (unknown flags, missing arguments) are
	// usage errors: bad input.
	return exitBadInput
}

func errorText(err error) string {
	s := err.Error()
	return strings.TrimRight(s, "\n")
}
