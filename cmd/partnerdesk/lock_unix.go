//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// errDatabaseInUse says that another process holds the database file.
var errDatabaseInUse = errors.New("database in use")

// lockDatabase takes an advisory lock on a SQLite database file: shared
// for a server (several may serve one file), exclusive for a restore,
// which must not replace the file under a running server. The lock is
// flock(2), which does not interfere with SQLite's own fcntl locks.
func lockDatabase(path string, exclusive bool) (release func(), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDatabaseInUse
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
