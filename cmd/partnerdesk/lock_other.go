//go:build !unix

package main

import "errors"

var errDatabaseInUse = errors.New("database in use")

// lockDatabase takes no lock where flock(2) does not exist: stopping the
// server before a restore is then the operator's to check.
func lockDatabase(path string, exclusive bool) (release func(), err error) {
	return func() {}, nil
}
